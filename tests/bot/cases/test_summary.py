"""The monthly summary: SQL figures equal independent counts; no reporter identity anywhere."""

from __future__ import annotations

import calendar
import random
import statistics
from datetime import date

import pytest
from sqlmodel import select

from bot.cases.actions import Action
from bot.cases.demo import seed_demo
from bot.cases.summary import build_summary, summarise_month
from storage.db import Database
from storage.models import AuditEntry, Case, Role
from tests.factories import do, file_on, person
from tests.harness import BotHarness

SECRETARY = 7001
REPORTER = 7123456
TODAY = date(2026, 11, 26)
COMPLAINT_FILES = [
    "complaints-2026-03.html",
    *(
        f"complaints-2026-03-{table}.csv"
        for table in ("counts", "overview", "targets", "overdue", "products")
    ),
    "complaints-2026-03.png",
]


def all_cases(db: Database) -> list[Case]:
    return db.call(lambda session: list(session.exec(select(Case)).all()))


def independent_counts(cases: list[Case], first: date, last: date) -> dict[str, dict[str, int]]:
    """Received, closed and open at month end per kind, counted in Python from every row."""
    counts: dict[str, dict[str, int]] = {}
    for c in cases:
        row = counts.setdefault(c.kind, {"received": 0, "closed": 0, "open": 0})
        if first <= c.received_on <= last:
            row["received"] += 1
        if c.closed_on is not None and first <= c.closed_on <= last:
            row["closed"] += 1
        if c.received_on <= last and (c.closed_on is None or c.closed_on > last):
            row["open"] += 1
    return counts


def seed_march(db: Database) -> None:
    """A hand-made March 2026 around its edges: February carry-overs, April cases, a late one."""
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    reporter = person(db, REPORTER, name="王小明")
    carried = file_on(db, date(2026, 2, 24), reporter=reporter, contact=("王小明", "0912345678"))
    do(db, carried.number, Action.ASSIGN, secretary, date(2026, 2, 25), unit="sec1")
    do(db, carried.number, Action.REPLY, secretary, date(2026, 3, 10), text="已處理。")
    do(db, carried.number, Action.CLOSE, secretary, date(2026, 3, 11))
    still_open = file_on(db, date(2026, 2, 26), kind="service", reporter=reporter)
    do(db, still_open.number, Action.ASSIGN, secretary, date(2026, 2, 27), unit="secretariat")
    for day, kind, unit in (
        (date(2026, 3, 2), "product", "sec1"),
        (date(2026, 3, 3), "monitor", "sec2"),
        (date(2026, 3, 16), "monitor", "sec2"),
        (date(2026, 3, 31), "product", "taoyuan"),
    ):
        filed = file_on(db, day, kind=kind, subject="電暖器 WarmUp HX-200")
        do(db, filed.number, Action.ASSIGN, secretary, day, unit=unit)
        if day.day < 10:
            do(db, filed.number, Action.REPLY, secretary, date(2026, 3, 20), text="已處理。")
            do(db, filed.number, Action.CLOSE, secretary, date(2026, 3, 23))
    late = file_on(db, date(2026, 1, 20), kind="monitor")
    do(db, late.number, Action.ASSIGN, secretary, date(2026, 1, 21), unit="sec3")
    do(db, late.number, Action.REPLY, secretary, date(2026, 3, 30), text="逾期回覆。")
    do(db, late.number, Action.CLOSE, secretary, date(2026, 3, 30))
    overdue = file_on(db, date(2026, 1, 5))
    do(db, overdue.number, Action.ASSIGN, secretary, date(2026, 1, 6), unit="sec4")
    file_on(db, date(2026, 4, 1))


def test_the_summary_of_a_seeded_month_equals_independent_counts(db: Database) -> None:
    seed_march(db)
    summary = db.call(build_summary, year=2026, month=3, today=TODAY, language="en")
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    cases = all_cases(db)
    expected = independent_counts(cases, first, last)
    got = {
        r.key: {"received": r.received, "closed": r.closed, "open": r.open_at_end}
        for r in summary.by_kind
    }
    for kind in ("product", "service", "monitor"):
        assert got[kind] == expected.get(kind, {"received": 0, "closed": 0, "open": 0})
    assert (summary.received, summary.closed, summary.open_at_end) == (4, 4, 4)
    closed = [c for c in cases if c.closed_on and first <= c.closed_on <= last]
    assert summary.on_time == sum(1 for c in closed if c.closure == "on_time") == 3
    days = [c.days_to_close for c in closed]
    assert summary.mean_days == pytest.approx(statistics.mean(days))  # type: ignore[arg-type]
    assert summary.median_days == statistics.median(days)  # type: ignore[type-var]
    assert sum(r.received for r in summary.by_unit) == summary.received
    assert sum(r.open_at_end for r in summary.by_unit) == summary.open_at_end
    assert [o.number for o in summary.overdue] == ["P2026-00004"]
    overdue_case = next(c for c in cases if c.number == "P2026-00004")
    assert summary.overdue[0].days_late == (last - overdue_case.due_on).days
    assert summary.overdue[0].due_on == overdue_case.due_on
    assert summary.overdue[0].received_on == overdue_case.received_on
    public, monitor = summary.targets
    assert (public.to_date, monitor.to_date) == (5, 3)
    assert public.per_month_needed == pytest.approx((350 - 5) / 9)
    assert summary.top_products[0] == ("電暖器 WarmUp HX-200", 4)


def test_the_summary_of_a_demo_year_month_equals_independent_counts(db: Database) -> None:
    db.call(seed_demo, rng=random.Random(7), year=2025)
    cases = all_cases(db)
    assert 550 <= len(cases) <= 650
    for month in (2, 7, 12):
        summary = db.call(build_summary, year=2025, month=month, today=TODAY, language="zh-TW")
        first = date(2025, month, 1)
        last = date(2025, month, calendar.monthrange(2025, month)[1])
        expected = independent_counts(cases, first, last)
        for row in summary.by_kind:
            assert (row.received, row.closed, row.open_at_end) == (
                expected[row.key]["received"],
                expected[row.key]["closed"],
                expected[row.key]["open"],
            )
        closed = [c for c in cases if c.closed_on and first <= c.closed_on <= last]
        assert summary.on_time == sum(1 for c in closed if c.closure == "on_time")


async def test_summary_in_chat_replies_with_a_short_text_and_the_files(
    bot: BotHarness,
) -> None:
    seed_march(bot.db)
    reply = await bot.say(SECRETARY, "/summary 2026-03", language_code="en")
    assert "Received 4, closed 4, open at month end 4" in reply
    await bot.fake.async_wait_for("sendDocument", chat_id=SECRETARY, count=len(COMPLAINT_FILES))
    names = [m["document"]["file_name"] for m in bot.fake.sent(SECRETARY) if m.get("document")]
    assert names == COMPLAINT_FILES
    assert "is not a period: use 2027-03" in await bot.say(
        SECRETARY, "/summary 2026-3x", language_code="en"
    )


def test_the_summary_asked_in_chat_is_audited_in_the_same_call(db: Database) -> None:
    seed_march(db)
    summary = db.call(
        summarise_month,
        actor_telegram_id=SECRETARY,
        year=2026,
        month=3,
        today=TODAY,
        language="en",
    )
    assert summary.received == 4
    entries = db.call(lambda session: list(session.exec(select(AuditEntry)).all()))
    assert [(a.actor_telegram_id, a.action, a.target) for a in entries] == [
        (SECRETARY, "case.summary", "2026-03")
    ]
