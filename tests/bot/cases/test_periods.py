"""The half-year and year complaint analysis: SQL figures equal counts made independently in
Python from every row, across months, kinds, units and channels; duplicates and transfers out
are never handled; targets come from the year's, else the plan's (and the report says so)."""

from __future__ import annotations

import calendar
import random
import statistics
from collections import Counter
from datetime import date

import pytest
from sqlmodel import select

from bot.cases.demo import seed_demo
from bot.cases.periods import build_period_analysis
from kernel.errors import UserError
from kernel.periods import Period
from storage.db import Database
from storage.models import Case, Unit

TODAY = date(2026, 11, 26)
NOT_HANDLED = {"duplicate", "transferred"}


def _cases(db: Database) -> list[Case]:
    return db.call(lambda session: list(session.exec(select(Case)).all()))


def _unit_codes(db: Database) -> dict[int, str]:
    return db.call(lambda session: {u.id: u.code for u in session.exec(select(Unit)).all()})


def _handled(c: Case, first: date, last: date) -> bool:
    return c.closed_on is not None and first <= c.closed_on <= last and c.state not in NOT_HANDLED


@pytest.mark.parametrize("first_half", [True, False])
def test_the_year_and_half_year_analysis_equal_independent_counts(
    db: Database, first_half: bool
) -> None:
    db.call(seed_demo, rng=random.Random(11), year=2025)
    cases = _cases(db)
    units = _unit_codes(db)
    first, last = date(2025, 1, 1), date(2025, 6, 30) if first_half else date(2025, 12, 31)
    # The seeded year must exercise what is being counted.
    assert {c.state for c in cases} >= {"closed", "duplicate", "transferred", "not_handled"}
    assert len({c.channel for c in cases}) >= 3 and len({c.unit_id for c in cases}) >= 6
    analysis = db.call(
        build_period_analysis,
        period=Period(2025, half=1 if first_half else None),
        today=TODAY,
        language="en",
    )

    months = [(m.received, m.handled, m.on_time) for m in analysis.months]
    expected_months = []
    for month in range(1, last.month + 1):
        m_first = date(2025, month, 1)
        m_last = date(2025, month, calendar.monthrange(2025, month)[1])
        in_month = [c for c in cases if m_first <= c.received_on <= m_last]
        handled = [c for c in cases if _handled(c, m_first, m_last)]
        expected_months.append(
            (len(in_month), len(handled), sum(1 for c in handled if c.closure == "on_time"))
        )
    assert months == expected_months

    def expected_by(key) -> dict[str, tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
        found: dict[str, list[int]] = {}
        for c in cases:
            row = found.setdefault(key(c), [0, 0, 0, 0])
            row[0] += first <= c.received_on <= last
            handled = _handled(c, first, last)
            row[1] += handled
            row[2] += handled and c.closure == "on_time"
            row[3] += c.received_on <= last and (c.closed_on is None or c.closed_on > last)
        return {k: tuple(v) for k, v in found.items() if any(v)}  # type: ignore[misc]

    def got(rows) -> dict[str, tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
        return {
            r.key: (r.received, r.handled, r.on_time, r.open_at_end)
            for r in rows
            if r.received or r.handled or r.open_at_end
        }

    assert got(analysis.by_kind) == expected_by(lambda c: c.kind)
    assert got(analysis.by_channel) == expected_by(lambda c: c.channel)
    assert got(analysis.by_unit) == expected_by(lambda c: units.get(c.unit_id, ""))

    handled = [c for c in cases if _handled(c, first, last)]
    finished = [c for c in cases if c.closed_on and first <= c.closed_on <= last]
    assert any(c.state in NOT_HANDLED for c in finished)  # excluded ones exist in the period
    assert analysis.handled == len(handled) < len(finished)
    assert analysis.median_days == statistics.median(c.days_to_close for c in handled)
    for row in analysis.by_unit:
        mine = [c.days_to_close for c in handled if units.get(c.unit_id, "") == row.key]
        assert row.median_days == (statistics.median(mine) if mine else None)
    public, monitor = analysis.targets
    kinds = Counter(c.kind for c in handled)
    assert public.handled == kinds["product"] + kinds["service"]
    assert monitor.handled == kinds["monitor"]
    assert (public.target, monitor.target) == (350, 250)
    assert public.expected == (175 if first_half else 350)
    assert public.received == sum(
        1 for c in cases if c.kind != "monitor" and first <= c.received_on <= last
    )


def test_a_period_that_has_not_begun_is_refused(db: Database) -> None:
    with pytest.raises(UserError) as raised:
        db.call(build_period_analysis, period=Period(2027, half=1), today=TODAY, language="en")
    assert raised.value.key == "period.future"
