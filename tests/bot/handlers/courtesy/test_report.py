"""/courtesy_report in chat (bot/handlers/courtesy/report.py): the secretariat's round report
with its files, summed up in the reader's language; the latest started round when none is
named, the usage before any; a round written wrong or not planned is one sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.handlers.courtesy import shared
from courtesy.reports import latest_round_label
from storage.db import Database
from storage.models import Role
from storage.queries.courtesy import fetch_test_views
from tests.bot.handlers.courtesy.helpers import prepare, staff
from tests.courtesy.plans import (
    INSPECTOR,
    REPORT_FILE_ENDS,
    SECRETARY,
    audit_rows,
    failed_action,
)
from tests.harness import BotHarness


async def test_the_secretariat_gets_the_round_report_with_its_files(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    before = len(bot.fake.calls("sendDocument", chat_id=1000))
    await bot.say(1000, "/courtesy_report 2026-1", replies=6)
    assert len(bot.fake.calls("sendDocument", chat_id=1000)) == before + 5  # HTML, 3 CSV, PNG
    texts = [m.get("text", "") for m in bot.fake.sent(1000)]
    assert any("115 年第 1 輪電話禮貌測試報告" in t and "尚無測試成績" in t for t in texts)
    denied = await bot.say(INSPECTOR, "/courtesy_report 2026-1")
    assert "沒有使用這項功能的權限" in denied


async def test_a_round_with_results_is_summed_up_in_the_readers_language(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    failed_action(db, code)  # 60 points, under the pass mark: one open action
    called = next(v for v in db.call(fetch_test_views, year=2026) if v.code == code)
    calls = sum(1 for v in db.call(fetch_test_views, year=2026) if v.round == called.round)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    await bot.say(SECRETARY, f"/courtesy_report 2026-{called.round}", replies=6)
    texts = [m.get("text", "") for m in bot.fake.sent(SECRETARY)]
    summary = next(t for t in texts if "Scored" in t)
    assert f"Telephone courtesy tests, 2026 round {called.round}" in summary
    assert f"Scored 1 of {calls} calls, average 60, pass rate 0%" in summary
    assert "Open corrective and preventive actions: 1;" in summary
    names = [
        c.result["document"]["file_name"]
        for c in bot.fake.calls("sendDocument", chat_id=SECRETARY)
    ]
    stem = f"courtesy-2026-{called.round}"
    assert sorted(names) == sorted(f"{stem}{end}" for end in REPORT_FILE_ENDS)
    assert ("courtesy.report", f"2026-{called.round}", None, SECRETARY) in audit_rows(db)


async def test_without_a_round_the_latest_started_is_reported_and_before_any_the_usage(
    bot: BotHarness, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "utcnow", lambda: datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    usage = await bot.say(SECRETARY, "/courtesy_report", language_code="en")
    assert usage == "Usage: /courtesy_report YEAR-ROUND, e.g. /courtesy_report 2026-1."
    prepare(db)
    latest = db.call(latest_round_label, today=date(2026, 6, 15))
    assert latest is not None and latest != "2026-1"  # a later round has started by mid-June
    await bot.say(SECRETARY, "/courtesy_report", language_code="en", replies=6)
    year, number = latest.split("-")
    texts = [m.get("text", "") for m in bot.fake.sent(SECRETARY)]
    assert any(f"Telephone courtesy tests, {year} round {number}" in t for t in texts)


@pytest.mark.parametrize(
    ("wanted", "said"),
    [
        ("2026-4", "“2026-4” is not a round; write year-round, e.g. 2026-1."),
        ("26-1", "“26-1” is not a round; write year-round, e.g. 2026-1."),
        ("2031-1", "There is no round 2031-1; plan that year first."),
    ],
)
async def test_a_round_written_wrong_or_not_planned_is_one_sentence_and_no_file(
    bot: BotHarness, db: Database, wanted: str, said: str
) -> None:
    prepare(db)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    reply = await bot.say(SECRETARY, f"/courtesy_report {wanted}", language_code="en")
    assert reply == said
    assert bot.fake.calls("sendDocument", chat_id=SECRETARY) == []
