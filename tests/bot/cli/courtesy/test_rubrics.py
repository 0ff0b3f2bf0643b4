"""`bsmi-desk courtesy rubric`: a version added from a JSON file (Big5 from Excel too) and the
versions listed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storage.db import Database
from storage.queries.courtesy import fetch_latest_rubric
from tests.factories import run_courtesy


def test_a_big5_rubric_file_is_read(cli: CliRunner, tmp_path: Path, database_url: str) -> None:
    rubric = tmp_path / "rubric.json"
    items = (
        '[{"code": "speed", "max": 50, "choices": [50, 0], "name_zh": "接聽速度",'
        ' "name_en": "Speed", "critical_zero": true},'
        ' {"code": "tone", "max": 50, "choices": [50, 25, 0], "name_zh": "語氣親切",'
        ' "name_en": "Tone"}]'
    )
    rubric.write_bytes(items.encode("cp950"))
    code, out, err = run_courtesy(cli, "rubric", "add", "hotline", str(rubric))
    assert code == 0, err
    assert out.strip() == "hotline v1"
    assert "Big5" in err
    listed = run_courtesy(cli, "rubric", "list")[1]
    assert "hotline v1 (hotline / hotline): speed:50, tone:50" in listed
    db = Database(database_url)
    with db.transaction() as session:
        added = fetch_latest_rubric(session=session, template="hotline")
        assert added is not None
        assert [i["name_zh"] for i in added.items] == ["接聽速度", "語氣親切"]
    db.dispose()
