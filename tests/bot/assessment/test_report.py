"""The 附表2 table (bot/assessment/report.py): the plan's title and columns, each unit's
points, total, grade, month assessed and remarks (its note, then the follow-ups); a unit not
scored says so while the period is a draft; the grade legend in both languages; ROC or western
dates; the page and CSV named for the period and language; asked for in chat, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.assessment.report import build_report, legend, report_for, write_report
from bot.assessment.scoring import follow_up, publish
from storage.db import Database
from storage.queries.audit import fetch_audit
from storage.seeds import UNITS
from tests.bot.assessment.panel import H1, YEAR, score

PRODUCED = datetime(2027, 7, 20, 2, 0, tzinfo=UTC)


def published_half_year(db: Database) -> None:
    """Every unit of 2027-H1 scored (第一課 changed to 150 basic, the secretariat with a note
    and full innovation), a follow-up on 第二課 before publishing and on 第一課 after; the year
    scored but for the secretariat."""
    codes = [code for code, _, _ in UNITS]
    for period in (H1, YEAR):
        for code in codes[:-1]:
            score(db, code, period)
    score(db, "第一課", H1, basic="150")
    score(db, "secretariat", H1, innovation="100", note="創新提案獲選")
    db.call(follow_up, period=H1, unit_text="sec2", text="已請該課提出改善報告", by="test")
    db.call(publish, period=H1, by="test", language="zh-TW")
    db.call(follow_up, period=H1, unit_text="第一課", text="結果已公布於網站", by="test")


def test_a_published_half_year_in_the_plans_table(db: Database, tmp_path: Path) -> None:
    published_half_year(db)
    # The table: 附表2's title and columns, totals, grades, remarks.
    table = db.call(build_report, period=H1, language="zh-TW")
    assert table.title == "經濟部標準檢驗局新竹分局 116 年度上半年提升服務效能自行考核結果統計表"
    first = table.rows[0]
    assert first.points == [150, 270, 170, 160, 80] and first.total == 830 and first.grade == "甲"
    assert first.remarks == ["結果已公布於網站"]
    assert table.rows[1].remarks == ["已請該課提出改善報告"]
    assert table.rows[-1].total == 880 and table.rows[-1].remarks == ["創新提案獲選"]
    html, csv = write_report(table, tmp_path, produced=PRODUCED)
    page = html.read_text("utf-8")
    for heading in (
        "實施考核機關",
        "編號",
        "受考核單位名稱",
        "基礎服務",
        "服務遞送",
        "服務量能",
        "服務評價",
        "開放創新",
        "總分",
        "等第",
        "考核年月",
        "備註",
    ):
        assert heading in page
    assert "優：900 分以上" in page and "丁：599 分以下" in page and '<html lang="zh-TW">' in page
    rows = csv.read_text("utf-8-sig").splitlines()
    assert rows[1].split(",")[:3] == ["實施考核機關", "編號", "受考核單位名稱"]
    assert rows[2].startswith(
        "經濟部標準檢驗局新竹分局,1,第一課,150,270,170,160,80,830,甲,116 年 7 月"
    )
    english = db.call(build_report, period=YEAR, language="en")
    assert english.title.endswith("results, 2027") and english.rows[-1].total is None
    assert write_report(english, tmp_path)[0].name == "self-assessment-2027-en.html"


def test_a_draft_names_the_units_not_scored_and_its_csv_says_draft(
    db: Database, tmp_path: Path
) -> None:
    score(db, "sec1", note="複評")
    table = db.call(build_report, period=H1, language="en")
    assert not table.published
    assert table.title.endswith("first half of 2027")
    first, second = table.rows[:2]
    assert (first.number, first.unit, first.total, first.grade) == (1, "First Section", 860, "A")
    assert first.assessed == "July 2027" and first.remarks == ["複評"]
    assert second.points == [None] * 5 and second.total is None and second.grade is None
    assert second.remarks == ["not scored yet"]
    html, csv = write_report(table, tmp_path, produced=PRODUCED)
    assert html.name == "self-assessment-2027-H1-en.html"
    caption = csv.read_text("utf-8-sig").splitlines()[0]
    assert "draft, not yet published" in caption and "A: 800 to 899" in caption
    assert "Draft: the results of this period are not published yet." in html.read_text("utf-8")


def test_the_legend_covers_every_grade_from_the_top_down() -> None:
    assert legend("en") == [
        "Excellent: 900 or more",
        "A: 800 to 899",
        "B: 700 to 799",
        "C: 600 to 699",
        "D: 599 or less",
    ]
    assert legend("zh-TW")[0] == "優：900 分以上" and legend("zh-TW")[-1] == "丁：599 分以下"


def test_western_dates_replace_the_roc_year_when_asked(db: Database) -> None:
    score(db, "sec1", YEAR)
    roc = db.call(build_report, period=YEAR, language="zh-TW")
    western = db.call(build_report, period=YEAR, language="zh-TW", western=True)
    assert "116 年度" in roc.title and roc.rows[0].assessed == "116 年 7 月"
    assert "2027 年度" in western.title and western.rows[0].assessed == "2027 年 7 月"


def test_the_table_asked_for_in_chat_is_audited(db: Database) -> None:
    table = db.call(report_for, period=YEAR, language="zh-TW", by=7501)
    assert table.period == YEAR and len(table.rows) == len(UNITS)
    [entry] = db.call(fetch_audit)
    assert (entry.action, entry.target, entry.actor_telegram_id) == (
        "assessment.report",
        "2027",
        7501,
    )
