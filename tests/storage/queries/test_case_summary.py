"""storage/queries/case_summary.py on a real database: a month's tallies, closing figures,
overdue cases, the year to date and the most-reported products."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from storage.db import Database
from storage.queries.case_summary import (
    fetch_closing_figures,
    fetch_month_tallies,
    fetch_overdue_at,
    fetch_received_between,
    fetch_top_subjects,
)
from tests.storage.queries.rows import case

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def march_cases(session: Session) -> None:
    """Before March and closed before it; received in February and closed in March; received
    in March and open at its end; received in March and closed in April; received in April."""
    case(session, date(2026, 1, 5), closed_on=date(2026, 2, 27), unit="sec1", category="cns")
    case(session, date(2026, 2, 10), closed_on=date(2026, 3, 3), unit="sec1", category="cns")
    case(session, date(2026, 3, 2), kind="service", unit="sec2")
    case(session, date(2026, 3, 31), closed_on=date(2026, 4, 2), unit="sec2", category="rpc")
    case(session, date(2026, 4, 1), unit="sec1")


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("kind", {"product": (1, 1, 1), "service": (1, 0, 1)}),
        ("category", {"cns": (0, 1, 0), "rpc": (1, 0, 1), None: (1, 0, 1)}),
        ("unit", {"sec1": (0, 1, 0), "sec2": (2, 0, 2)}),
    ],
)
def test_a_months_tallies_count_received_closed_and_open_at_its_end_per_group(
    db: Database, group: str, expected: dict[str | None, tuple[int, int, int]]
) -> None:
    def run(session: Session) -> None:
        march_cases(session)
        found = fetch_month_tallies(session, group=group, first=MARCH[0], last=MARCH[1])
        assert {key: (r, c, o) for key, r, c, o in found} == expected

    db.call(run)


def test_a_tally_by_an_unknown_group_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="channel"):
        db.read(fetch_month_tallies, group="channel", first=MARCH[0], last=MARCH[1])


def test_the_closing_figures_give_the_mean_and_the_median_of_the_months_closures(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        assert fetch_closing_figures(session, first=MARCH[0], last=MARCH[1]) == (0, 0, None, None)
        for days, closure in ((2, "on_time"), (10, "on_time"), (4, "late"), (20, "on_time")):
            case(
                session,
                date(2026, 2, 1),
                closed_on=date(2026, 3, 10),
                closure=closure,
                days_to_close=days,
            )
        case(session, date(2026, 2, 1), closed_on=date(2026, 4, 1), days_to_close=99)
        assert fetch_closing_figures(session, first=MARCH[0], last=MARCH[1]) == (4, 3, 9.0, 7.0)
        case(session, date(2026, 2, 1), closed_on=date(2026, 3, 31), days_to_close=1)
        assert fetch_closing_figures(session, first=MARCH[0], last=MARCH[1])[3] == 4.0

    db.call(run)


def test_overdue_cases_are_those_open_unreplied_and_past_their_deadline_oldest_first(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        as_of = date(2026, 3, 31)
        late = case(session, date(2026, 1, 5), due_on=date(2026, 2, 16), unit="sec1")
        later = case(session, date(2026, 2, 2), due_on=date(2026, 3, 16))
        case(session, date(2026, 2, 2), due_on=date(2026, 3, 31))  # due today: not yet
        case(session, date(2026, 1, 5), due_on=date(2026, 2, 16), replied_on=date(2026, 3, 1))
        case(session, date(2026, 1, 5), due_on=date(2026, 2, 16), state="needs_info")
        case(session, date(2026, 1, 5), due_on=date(2026, 2, 16), closed_on=date(2026, 3, 30))
        closed_after = case(
            session, date(2026, 1, 6), due_on=date(2026, 2, 17), closed_on=date(2026, 4, 2)
        )
        found = fetch_overdue_at(session, as_of=as_of)
        assert found == [
            (late.number, "sec1", date(2026, 1, 5), date(2026, 2, 16)),
            (closed_after.number, None, date(2026, 1, 6), date(2026, 2, 17)),
            (later.number, None, date(2026, 2, 2), date(2026, 3, 16)),
        ]
        assert fetch_overdue_at(session, as_of=as_of, limit=1) == found[:1]
        assert fetch_overdue_at(session, as_of=date(2026, 2, 16)) == []

    db.call(run)


def test_cases_received_between_two_dates_are_counted_per_kind(db: Database) -> None:
    def run(session: Session) -> None:
        assert fetch_received_between(session, first=date(2026, 1, 1), last=MARCH[1]) == {}
        march_cases(session)
        assert fetch_received_between(session, first=date(2026, 1, 1), last=MARCH[1]) == {
            "product": 3,
            "service": 1,
        }
        assert fetch_received_between(session, first=date(2026, 4, 1), last=date(2026, 4, 1)) == {
            "product": 1
        }

    db.call(run)


def test_the_top_subjects_group_spellings_leave_service_out_and_rank_by_count(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        day = date(2026, 3, 5)
        for subject in ("延長線", " 延長線 ", "延長線", "吹風機", "吹風機", "Lamp", "lamp"):
            case(session, day, subject=subject)
        case(session, day, kind="monitor", subject="Lamp")
        case(session, day, kind="service", subject="延長線")
        case(session, date(2026, 4, 1), subject="吹風機")
        found = fetch_top_subjects(session, first=MARCH[0], last=MARCH[1])
        # ties in the order of the subject as grouped (trimmed, lower case)
        assert [(s.strip().lower(), n) for s, n in found] == [
            ("lamp", 3),
            ("延長線", 3),
            ("吹風機", 2),
        ]
        assert len(fetch_top_subjects(session, first=MARCH[0], last=MARCH[1], limit=1)) == 1

    db.call(run)
