"""The demo's year of cases (`bot/cases/demo.py`): about 350 public and 250 monitor cases
received over the whole year, in every kind and channel, most closed (some late), a few still
open and overdue, numbered once each with the counters moved past them; the same seed gives
the same year."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from sqlmodel import Session, col, select

from bot.cases.demo import seed_demo
from bot.cases.filing import format_number
from storage.db import Database
from storage.models import Case, CaseEvent
from storage.models.cases import FINAL_STATES, CaseKind, CaseState, Channel, Closure
from storage.queries.cases import fetch_overdue_cases
from tests.factories import file_on

YEAR = 2025
"""A past year: the demo fills it to 31 December, whatever day the tests run."""
END = date(YEAR, 12, 31)


def _cases(session: Session) -> list[tuple[object, ...]]:
    """Every case as the demo wrote it (no ids: they differ from one database to another)."""
    rows = session.exec(select(Case).order_by(col(Case.number))).all()
    return [
        (
            c.number,
            c.kind,
            c.channel,
            c.state,
            c.subject,
            c.location,
            c.received_at,
            c.due_on,
            c.replied_on,
            c.closed_on,
            c.closure,
            c.days_to_close,
        )
        for c in rows
    ]


def test_the_demo_fills_the_year_with_cases_of_every_kind_and_channel(db: Database) -> None:
    with db.transaction() as session:
        seed_demo(session, rng=random.Random(7), year=YEAR)
    with db.reading() as session:
        cases = list(session.exec(select(Case)).all())
        events = Counter(e.case_id for e in session.exec(select(CaseEvent)).all())
        overdue = fetch_overdue_cases(session=session, today=END)
    kinds = Counter(c.kind for c in cases)
    assert 330 <= kinds["product"] + kinds["service"] <= 370 and 230 <= kinds["monitor"] <= 270
    assert set(kinds) == set(CaseKind)
    assert {c.channel for c in cases} == {
        Channel.TELEGRAM,
        Channel.PHONE,
        Channel.WEB,
        Channel.LETTER,
    }
    for kind in CaseKind:
        months = {c.received_on.month for c in cases if c.kind == kind}
        assert months == set(range(1, 13)), kind
    assert all(c.received_on.year == YEAR and c.received_on <= END for c in cases)

    numbers = [c.number for c in cases]
    assert len(set(numbers)) == len(numbers)
    for kind in CaseKind:
        seqs = sorted(c.seq for c in cases if c.kind == kind)
        assert seqs == list(range(1, kinds[kind] + 1))
    assert all(c.number == format_number(CaseKind(c.kind), YEAR, c.seq) for c in cases)

    finished = [c for c in cases if c.state in FINAL_STATES]
    assert len(finished) > 0.85 * len(cases)
    assert all(
        c.replied_on is not None
        and c.closed_on is not None
        and c.received_on <= c.replied_on <= c.closed_on <= END
        and c.days_to_close == (c.closed_on - c.received_on).days
        for c in finished
    )
    closures = Counter(c.closure for c in finished)
    assert closures[Closure.ON_TIME] > 10 * closures[Closure.LATE] > 0
    open_cases = [c for c in cases if c.state not in FINAL_STATES]
    assert open_cases and all(c.closed_on is None for c in open_cases)
    assert overdue and all(c.state == CaseState.INVESTIGATING for c, _ in overdue)
    assert all(c.unit_id is not None for c in cases if c.state != CaseState.RECEIVED)
    assert all(events[c.id or 0] >= (3 if c.closed_on else 1) for c in cases)

    filed = file_on(db, date(YEAR, 12, 30))  # the next case takes the next number
    assert filed.number == format_number(CaseKind.PRODUCT, YEAR, kinds["product"] + 1)


def test_the_same_seed_gives_the_same_cases(db: Database) -> None:
    def seeded(seed: int) -> list[tuple[object, ...]]:
        with Session(db.engine) as session:  # rolled back: each seed starts from nothing
            seed_demo(session, rng=random.Random(seed), year=YEAR)
            cases = _cases(session)
            session.rollback()
        return cases

    first = seeded(7)
    assert first and first == seeded(7)
    assert first != seeded(8)
