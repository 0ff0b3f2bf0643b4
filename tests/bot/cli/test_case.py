"""`bsmi-desk case import` as a person runs it: cases from other channels filed with their unit
and numbered, and a file with a bad row refused whole, naming what was wrong."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.db import Database
from storage.models import Case, Unit
from tests.bot.cli.console import run_cli


def all_cases(db: Database) -> list[Case]:
    return db.call(lambda session: list(session.exec(select(Case)).all()))


def test_the_cli_imports_cases_and_refuses_a_file_with_a_bad_row_whole(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    source = tmp_path / "cases.csv"
    source.write_text(
        "channel,kind,received_on,subject,description,unit\n"
        "phone,product,2026-03-02,電暖器 WarmUp HX-200,民眾來電反映插頭過熱冒煙,sec2\n"
        "web,service,2026-03-05,網站表單無法送出,線上申請表單按送出後沒有反應,secretariat\n",
        encoding="utf-8-sig",
    )
    result = run_cli("case", "import", str(source), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "P2026-00001" in result.stdout
    channels = sorted(c.channel for c in all_cases(db))
    assert channels == ["phone", "web"]
    units = db.call(lambda session: {u.id: u.code for u in session.exec(select(Unit)).all()})
    assert sorted(units[c.unit_id] for c in all_cases(db) if c.unit_id) == ["sec2", "secretariat"]

    broken = tmp_path / "broken.csv"
    broken.write_text(
        "channel,kind,received_on,subject,description\n"
        "phone,toaster,2026-03-02,烤麵包機,插頭過熱冒煙燒焦\n",
        encoding="utf-8",
    )
    result = run_cli("case", "import", str(broken), env=env, cwd=tmp_path)
    assert result.returncode == 2 and "toaster" in result.stderr
    assert len(all_cases(db)) == 2
