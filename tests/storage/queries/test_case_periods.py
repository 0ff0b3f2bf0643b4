"""storage/queries/case_periods.py on a real database: a half-year's tallies per group, its
months in one query, days to close, cases handled per kind and overdue cases per unit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from storage.db import Database
from storage.queries.case_periods import (
    fetch_handled_by_kind,
    fetch_handled_days,
    fetch_monthly_counts,
    fetch_overdue_by_unit,
    fetch_period_tallies,
)
from tests.storage.queries.rows import case

H1 = (date(2026, 1, 1), date(2026, 6, 30))


def half_year(session: Session) -> None:
    """Handled on time, handled late, a duplicate and a transfer (finished, not handled), one
    open at the end, one received the year before and handled in the period, one after it."""
    case(
        session,
        date(2026, 1, 5),
        closed_on=date(2026, 1, 20),
        closure="on_time",
        days_to_close=11,
        unit="sec1",
        category="cns",
    )
    case(
        session,
        date(2026, 2, 2),
        closed_on=date(2026, 4, 1),
        closure="late",
        days_to_close=40,
        unit="sec1",
        channel="phone",
    )
    case(
        session,
        date(2026, 2, 3),
        closed_on=date(2026, 2, 4),
        state="duplicate",
        days_to_close=1,
        unit="sec2",
    )
    case(session, date(2026, 3, 3), closed_on=date(2026, 3, 4), state="transferred", unit="sec2")
    case(session, date(2026, 6, 30), kind="service", unit="sec2", category="rpc")
    case(
        session,
        date(2025, 12, 1),
        closed_on=date(2026, 1, 6),
        closure="on_time",
        days_to_close=20,
        unit="sec2",
    )
    case(session, date(2026, 7, 1), unit="sec1")


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("kind", {"product": (4, 3, 2, 0), "service": (1, 0, 0, 1)}),
        ("channel", {"telegram": (4, 2, 2, 1), "phone": (1, 1, 0, 0)}),
        ("category", {"cns": (1, 1, 1, 0), "rpc": (1, 0, 0, 1), None: (3, 2, 1, 0)}),
        ("unit", {"sec1": (2, 2, 1, 0), "sec2": (3, 1, 1, 1)}),
    ],
)
def test_a_periods_tallies_count_received_handled_on_time_and_open_at_its_end(
    db: Database, group: str, expected: dict[str | None, tuple[int, int, int, int]]
) -> None:
    def run(session: Session) -> None:
        half_year(session)
        found = fetch_period_tallies(session, group=group, first=H1[0], last=H1[1])
        assert {key: (r, h, o, e) for key, r, h, o, e in found} == expected

    db.call(run)


def test_a_tally_by_an_unknown_group_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="month"):
        db.read(fetch_period_tallies, group="month", first=H1[0], last=H1[1])


def test_monthly_counts_come_back_in_the_order_of_the_months_asked(db: Database) -> None:
    def run(session: Session) -> None:
        half_year(session)
        months = [
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 4, 1), date(2026, 4, 30)),
        ]
        assert fetch_monthly_counts(session, months=months) == [
            (1, 2, 2),
            (2, 0, 0),
            (1, 0, 0),
            (0, 1, 0),
        ]
        assert fetch_monthly_counts(session, months=months[::-1][:1]) == [(0, 1, 0)]
        assert fetch_monthly_counts(session, months=[]) == []

    db.call(run)


def test_days_to_close_are_listed_for_handled_cases_only(db: Database) -> None:
    def run(session: Session) -> None:
        half_year(session)
        found = fetch_handled_days(session, first=H1[0], last=H1[1])
        assert sorted(found, key=lambda row: row[1]) == [("sec1", 11), ("sec2", 20), ("sec1", 40)]
        assert fetch_handled_days(session, first=date(2026, 7, 1), last=date(2026, 12, 31)) == []

    db.call(run)


def test_cases_handled_are_counted_per_kind(db: Database) -> None:
    def run(session: Session) -> None:
        half_year(session)
        case(session, date(2026, 5, 1), kind="monitor", closed_on=date(2026, 5, 2))
        assert fetch_handled_by_kind(session, first=H1[0], last=H1[1]) == {
            "product": 3,
            "monitor": 1,
        }
        assert fetch_handled_by_kind(session, first=date(2027, 1, 1), last=date(2027, 6, 30)) == {}

    db.call(run)


def test_overdue_cases_are_counted_per_unit_on_a_day(db: Database) -> None:
    def run(session: Session) -> None:
        as_of = date(2026, 3, 31)
        case(session, date(2026, 1, 5), due_on=date(2026, 2, 16), unit="sec1")
        case(session, date(2026, 1, 6), due_on=date(2026, 2, 17), unit="sec1")
        case(session, date(2026, 1, 7), due_on=date(2026, 2, 18))
        case(session, date(2026, 1, 7), due_on=date(2026, 2, 18), unit="sec2", state="needs_info")
        case(
            session,
            date(2026, 1, 7),
            due_on=date(2026, 2, 18),
            unit="sec2",
            replied_on=date(2026, 3, 30),
        )
        case(
            session,
            date(2026, 1, 7),
            due_on=date(2026, 2, 18),
            unit="sec3",
            closed_on=date(2026, 4, 1),
        )
        case(session, date(2026, 1, 7), due_on=date(2026, 3, 31), unit="sec3")
        assert fetch_overdue_by_unit(session, as_of=as_of) == {"sec1": 2, None: 1, "sec3": 1}
        assert fetch_overdue_by_unit(session, as_of=date(2026, 2, 16)) == {}

    db.call(run)
