"""`bsmi-desk assessment` and `report period` from the terminal: every refusal is one
line on stderr with exit code 2, never a traceback; the files are written where asked."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cases.demo import seed_demo
from storage.db import Database
from storage.seeds import UNITS
from tests.bot.cli.console import invoke, one_line

SCORES = ["--basic", "180", "--delivery", "270", "--capacity", "170", "--evaluation", "160"]


def score(cli: CliRunner, unit: str, *extra: str, period: str = "2026-H1") -> tuple[int, str, str]:
    return invoke(
        cli,
        "assessment",
        "score",
        "--period",
        period,
        "--unit",
        unit,
        *SCORES,
        "--innovation",
        "80",
        *extra,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--basic", "12.5"], 'The basic score "12.5" is not a whole number.'),
        (["--delivery", "-3"], "The delivery score -3 is out of range: it must be from 0 to 300."),
        (["--capacity", "201"], "The capacity score 201 is out of range"),
        (["--evaluation", "201"], "The evaluation score 201 is out of range"),
        (["--innovation", "101"], "The innovation score 101 is out of range"),
        (["--assessed-on", "2026-13"], 'The assessment month "2026-13" is not valid'),
    ],
)
def test_a_bad_score_is_one_line_and_exit_2(cli: CliRunner, args: list[str], said: str) -> None:
    code, _, err = score(cli, "sec1", *args)
    assert said in one_line(code, err)


def test_an_unknown_unit_and_a_bad_period_are_one_line(cli: CliRunner) -> None:
    code, _, err = score(cli, "第九課")
    assert 'There is no unit "第九課"' in one_line(code, err)
    code, _, err = score(cli, "sec1", period="2026-H2")
    assert '"2026-H2" is not a period' in one_line(code, err)
    code, _, err = invoke(cli, "report", "period", "--period", "26", "--out", "x")
    assert '"26" is not a period' in one_line(code, err)


def test_scoring_publishing_and_a_change_after_it(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = score(cli, "第一課", "--assessed-on", "2026-07", "--note", "first")
    assert code == 0, err
    assert out.strip() == "Recorded 2026-H1 First Section: total 860, grade A."
    csv = tmp_path / "scores.csv"
    rows = ["unit,basic,delivery,capacity,evaluation,innovation"]
    rows += [f"{code},190,280,190,190,90" for code, _, _ in UNITS[1:-2]]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = invoke(cli, "assessment", "import", str(csv), "--period", "2026-H1")
    assert code == 0 and "Imported the scores of 9 units" in out, err
    code, _, err = invoke(cli, "assessment", "publish", "--period", "2026-H1")
    assert one_line(code, err) == (
        "2026-H1 still has 2 unscored units: Civil Service Ethics Office, Secretariat; "
        "score them all before publishing."
    )
    for unit in ("ethics", "秘書室"):
        assert score(cli, unit)[0] == 0
    code, out, _ = invoke(
        cli,
        "assessment",
        "follow-up",
        "--period",
        "2026-H1",
        "--unit",
        "sec1",
        "--text",
        "Asked to report improvements",
    )
    assert code == 0 and "First Section" in out
    code, out, _ = invoke(cli, "assessment", "publish", "--period", "2026-H1")
    assert code == 0 and "published" in out
    code, _, err = score(cli, "sec1", "--basic", "100")
    assert one_line(code, err) == "2026-H1 is published: its scores can no longer be changed."
    code, _, err = invoke(cli, "assessment", "import", str(csv), "--period", "2026-H1")
    assert "is published" in one_line(code, err)

    out_dir = tmp_path / "out"
    code, out, err = invoke(
        cli,
        "assessment",
        "report",
        "--period",
        "2026-H1",
        "--out",
        str(out_dir),
        "--lang",
        "zh-TW",
    )
    assert code == 0, err
    page = (out_dir / "self-assessment-2026-H1.html").read_text("utf-8")
    assert "115 年度上半年提升服務效能自行考核結果統計表" in page and "Asked to report" in page
    assert "本表已公布" in page
    code, out, err = invoke(
        cli, "assessment", "report", "--period", "2026-H1", "--out", str(out_dir)
    )
    assert code == 0 and (out_dir / "self-assessment-2026-H1-en.csv").exists()
    code, out, err = invoke(
        cli, "assessment", "evidence", "--period", "2026-H1", "--out", str(out_dir)
    )
    assert code == 0, err
    assert "Satisfaction: no survey results yet" in (
        out_dir / "evidence-2026-H1-en.html"
    ).read_text("utf-8")


def test_report_period_writes_the_complaint_analysis(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    db = Database(database_url)
    try:
        db.call(seed_demo, rng=random.Random(1), year=2025)
    finally:
        db.dispose()
    code, out, err = invoke(cli, "report", "period", "--period", "2025", "--out", str(tmp_path))
    assert code == 0, err
    names = sorted(p.name for p in tmp_path.glob("complaints-2025*"))
    assert names == sorted(
        [
            "complaints-2025.html",
            "complaints-2025.png",
            *(
                f"complaints-2025-{t}.csv"
                for t in ("months", "counts", "units", "targets", "overdue", "training")
            ),
        ]
    )
    months = (tmp_path / "complaints-2025-months.csv").read_text("utf-8-sig").splitlines()
    assert len(months) == 2 + 12 + 1  # caption, header, twelve months, total
