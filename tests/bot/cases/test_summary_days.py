"""The monthly summary says how its days are counted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.cases.summary import build_summary
from bot.cases.summary_report import summary_text, write_report
from storage.db import Database
from storage.models import Role
from tests.factories import do, file_on, person

TODAY = date(2026, 11, 26)


def test_the_summary_says_days_to_close_are_calendar_days_and_how_deadlines_count(
    db: Database, tmp_path: Path
) -> None:
    secretary = person(db, 7301, Role.SECRETARIAT)
    filed = file_on(db, date(2026, 3, 2))
    do(db, filed.number, "assign", secretary, date(2026, 3, 3), unit="sec1")
    do(db, filed.number, "reply", secretary, date(2026, 3, 9), text="已依規定處理完畢。")
    do(db, filed.number, "close", secretary, date(2026, 3, 9))

    summary = db.call(build_summary, year=2026, month=3, today=TODAY, language="en")
    html, _, overview, *_ = write_report(summary, tmp_path / "en", "en")
    page = html.read_text(encoding="utf-8")
    assert "Median days to close (calendar days)" in page
    assert "deadlines are counted in working days on Taiwan" in page
    assert "Mean days to close (calendar days)" in overview.read_text(encoding="utf-8-sig")
    assert "7.0 calendar days to close" in summary_text(summary, "en")

    summary = db.call(
        build_summary, year=2026, month=3, today=TODAY, language="zh-TW", counting="calendar"
    )
    html, *_ = write_report(summary, tmp_path / "zh", "zh-TW")
    page = html.read_text(encoding="utf-8")
    assert "辦結日數中位數（日曆天）" in page and "處理期限以日曆天計算" in page
    assert "7.0 日（日曆天）" in summary_text(summary, "zh-TW")
    assert summary_text(summary, "zh-TW").startswith("<b>民國 115 年 3 月")  # as the files say
