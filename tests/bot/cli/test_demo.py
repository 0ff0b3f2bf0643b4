"""`bsmi-desk demo` fills a fresh database with a year and writes every report, no token needed."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.cli.demo import build_demo
from storage.db import Database
from storage.models import Person


def test_the_demo_writes_the_monthly_summary_and_courtesy_reports(tmp_path: Path) -> None:
    result = build_demo(out=tmp_path, today=date(2026, 11, 26), language="zh-TW")
    names = sorted(p.name for p in result.files)
    assert names == sorted(
        [
            "complaints-2026-10.html",
            *(
                f"complaints-2026-10-{table}.csv"
                for table in ("counts", "overview", "targets", "overdue", "products")
            ),
            "complaints-2026-10.png",
            *(
                f"courtesy-2026-3{end}"
                for end in (".html", "-units.csv", "-items.csv", "-trend.csv", ".png")
            ),
            *(
                f"courtesy-2026{end}"
                for end in (".html", "-units.csv", "-items.csv", "-trend.csv", ".png")
            ),
            # the first half-year's pack, the half-year being over
            "complaints-2026-H1.html",
            *(
                f"complaints-2026-H1-{table}.csv"
                for table in ("months", "counts", "units", "targets", "overdue", "training")
            ),
            "complaints-2026-H1.png",
            *(
                f"courtesy-2026-H1{end}"
                for end in (".html", "-units.csv", "-items.csv", "-trend.csv", ".png")
            ),
            "self-assessment-2026-H1.html",
            "self-assessment-2026-H1.csv",
            "evidence-2026-H1.html",
            "evidence-2026-H1.csv",
            *(
                f"notices-2026-10{end}"
                for end in (".html", "-delivery.csv", "-kinds.csv", "-unreachable.csv")
            ),
            *(
                f"survey-2{end}"
                for end in (
                    ".html",
                    "-items.csv",
                    "-findings.csv",  # its findings and their improvement actions
                    "-followed.csv",  # the previous survey's findings followed up
                    "-comments.csv",
                    "-trend.csv",
                    ".png",
                )
            ),
            *(
                f"case-survey-2026{end}"
                for end in (
                    ".html",
                    "-items.csv",
                    "-groups.csv",
                    "-comments.csv",
                    "-trend.csv",
                    ".png",
                )
            ),
        ]
    )
    for path in result.files:
        assert path.stat().st_size > 200, path
    for path in (p for p in result.files if p.suffix == ".csv"):
        caption, header, *rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        assert "。；" not in caption[0], path.name
        assert caption[0].count("115 年 10 月") <= 1, path.name  # the month once
        for column, name in enumerate(header):
            values = [row[column] for row in rows if column < len(row) and row[column]]
            if "（%）" in name:  # numbers of percent, without the sign
                assert all("%" not in v for v in values), (path.name, name)
            if path.name.startswith(("survey-", "case-survey-")) and name in (
                "平均分數",
                "前次平均",
            ):
                assert all(re.fullmatch(r"\d\.\d\d", v) for v in values), (path.name, values)
    assert "民國 115 年 10 月" in (tmp_path / "complaints-2026-10.html").read_text("utf-8")
    db = Database(f"sqlite:///{result.database}")
    people = db.call(lambda session: session.exec(select(func.count()).select_from(Person)).one())
    db.dispose()
    assert people > 50


def test_the_demo_is_reproducible_and_starts_afresh(tmp_path: Path) -> None:
    first = build_demo(out=tmp_path / "a", today=date(2026, 11, 26), language="en", seed=7)
    again = build_demo(out=tmp_path / "a", today=date(2026, 11, 26), language="en", seed=7)
    other = build_demo(out=tmp_path / "b", today=date(2026, 11, 26), language="en", seed=7)
    csv = "complaints-2026-10-counts.csv"
    # the same data but for the first line, which says when the file was produced
    same = (first.database.parent / csv).read_text("utf-8-sig").splitlines()[1:]
    assert same == (other.database.parent / csv).read_text("utf-8-sig").splitlines()[1:]
    assert again.database == first.database


def test_the_demo_command_needs_no_token(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Demo database:" in result.output
    assert (tmp_path / "out" / "courtesy-2026.html").exists() or any(
        (tmp_path / "out").glob("courtesy-*.html")
    )
