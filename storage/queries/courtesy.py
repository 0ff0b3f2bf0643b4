"""Queries of the courtesy-test tracker: directory, rubrics, rounds, calls, results, actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    ActionStatus,
    CourtesyAction,
    CourtesyActionEvent,
    CourtesyResult,
    CourtesyRound,
    CourtesyRubric,
    CourtesyStaff,
    CourtesyTest,
    Person,
    Unit,
)


def fetch_staff(session: Session, *, active_only: bool = True) -> list[CourtesyStaff]:
    """Staff of the directory ordered by extension."""
    query = select(CourtesyStaff).order_by(col(CourtesyStaff.extension))
    if active_only:
        query = query.where(col(CourtesyStaff.active).is_(True))
    return list(session.exec(query).all())


def fetch_staff_by_extension(session: Session, *, extension: str) -> CourtesyStaff | None:
    return session.exec(
        select(CourtesyStaff).where(CourtesyStaff.extension == extension.strip())
    ).first()


def fetch_staff_for_person(session: Session, *, person_id: int) -> list[CourtesyStaff]:
    """The directory rows linked to a Telegram person."""
    return list(session.exec(select(CourtesyStaff).where(CourtesyStaff.person_id == person_id)))


def fetch_unit_codes(session: Session) -> dict[int, Unit]:
    return {u.id: u for u in session.exec(select(Unit)).all() if u.id is not None}


def fetch_latest_rubric(session: Session, *, template: str) -> CourtesyRubric | None:
    """The newest version of a template."""
    return session.exec(
        select(CourtesyRubric)
        .where(CourtesyRubric.template == template)
        .order_by(col(CourtesyRubric.version).desc())
    ).first()


def fetch_rubrics(session: Session) -> list[CourtesyRubric]:
    return list(
        session.exec(
            select(CourtesyRubric).order_by(
                col(CourtesyRubric.template), col(CourtesyRubric.version)
            )
        ).all()
    )


def fetch_rounds(session: Session, *, year: int | None = None) -> list[CourtesyRound]:
    query = select(CourtesyRound).order_by(col(CourtesyRound.year), col(CourtesyRound.number))
    if year is not None:
        query = query.where(CourtesyRound.year == year)
    return list(session.exec(query).all())


def fetch_round(session: Session, *, year: int, number: int) -> CourtesyRound | None:
    return session.exec(
        select(CourtesyRound).where(CourtesyRound.year == year, CourtesyRound.number == number)
    ).first()


def count_results_in_year(session: Session, *, year: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(CourtesyResult)
            .join(CourtesyTest, col(CourtesyTest.id) == CourtesyResult.test_id)
            .join(CourtesyRound, col(CourtesyRound.id) == CourtesyTest.round_id)
            .where(CourtesyRound.year == year)
        ).one()
    )


def delete_year_plan(session: Session, *, year: int) -> None:
    """Remove a year's planned calls, keeping its rounds and any retest calls (only ever
    called when the year has no results)."""
    round_ids = [r.id for r in fetch_rounds(session=session, year=year)]
    if round_ids:
        session.execute(
            delete(CourtesyTest).where(
                col(CourtesyTest.round_id).in_(round_ids),
                col(CourtesyTest.retest_of_action_id).is_(None),
            )
        )
        session.flush()


@dataclass(frozen=True)
class TestView:
    """One planned call with the names a person reads."""

    id: int
    code: str
    year: int
    round: int
    round_id: int
    due_on: date
    day: date
    at: time
    status: str
    staff_id: int
    staff_name: str
    extension: str
    unit_code: str
    unit_zh: str
    unit_en: str
    template: str
    inspector_id: int
    inspector_name: str
    inspector_extension: str
    inspector_unit: str
    inspector_person_id: int | None
    retest_of_action_id: int | None

    def unit_name(self, language: str) -> str:
        return self.unit_zh if language == "zh-TW" else self.unit_en


def _tests_query() -> SelectOfScalar[CourtesyTest]:
    return select(CourtesyTest).order_by(
        col(CourtesyTest.scheduled_on), col(CourtesyTest.scheduled_time), col(CourtesyTest.code)
    )


def _views(session: Session, tests: Sequence[CourtesyTest]) -> list[TestView]:
    if not tests:
        return []
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    units = fetch_unit_codes(session=session)
    rounds = {r.id: r for r in fetch_rounds(session=session)}
    views = []
    for test in tests:
        person, inspector, rnd = (
            staff[test.staff_id],
            staff[test.inspector_id],
            rounds[test.round_id],
        )
        unit, inspector_unit = units[person.unit_id], units[inspector.unit_id]
        assert test.id is not None and rnd.id is not None
        views.append(
            TestView(
                id=test.id,
                code=test.code,
                year=rnd.year,
                round=rnd.number,
                round_id=rnd.id,
                due_on=rnd.due_on,
                day=test.scheduled_on,
                at=test.scheduled_time,
                status=test.status,
                staff_id=test.staff_id,
                staff_name=person.name,
                extension=person.extension,
                unit_code=unit.code,
                unit_zh=unit.name_zh,
                unit_en=unit.name_en,
                template=person.template,
                inspector_id=test.inspector_id,
                inspector_name=inspector.name,
                inspector_extension=inspector.extension,
                inspector_unit=inspector_unit.code,
                inspector_person_id=inspector.person_id,
                retest_of_action_id=test.retest_of_action_id,
            )
        )
    return views


def fetch_test_views(
    session: Session,
    *,
    year: int | None = None,
    round_ids: Sequence[int] | None = None,
    inspector_ids: Sequence[int] | None = None,
    status: str | None = None,
) -> list[TestView]:
    """Calls in date order, filtered by year, rounds, inspectors and status."""
    query = _tests_query()
    if year is not None:
        query = query.join(CourtesyRound, col(CourtesyRound.id) == CourtesyTest.round_id).where(
            CourtesyRound.year == year
        )
    if round_ids is not None:
        query = query.where(col(CourtesyTest.round_id).in_(list(round_ids)))
    if inspector_ids is not None:
        query = query.where(col(CourtesyTest.inspector_id).in_(list(inspector_ids)))
    if status is not None:
        query = query.where(CourtesyTest.status == status)
    return _views(session, session.exec(query).all())


def fetch_test_view(session: Session, *, code: str) -> TestView | None:
    test = session.exec(
        select(CourtesyTest).where(CourtesyTest.code == code.strip().removeprefix("#"))
    ).first()
    found = _views(session, [test]) if test is not None else []
    return found[0] if found else None


def fetch_test(session: Session, *, code: str) -> CourtesyTest | None:
    return session.exec(
        select(CourtesyTest).where(CourtesyTest.code == code.strip().removeprefix("#"))
    ).first()


def fetch_current_result(session: Session, *, test_id: int) -> CourtesyResult | None:
    return session.exec(
        select(CourtesyResult).where(
            CourtesyResult.test_id == test_id, col(CourtesyResult.superseded_at).is_(None)
        )
    ).first()


def fetch_current_results(
    session: Session, *, round_ids: Sequence[int]
) -> list[tuple[CourtesyResult, CourtesyTest]]:
    """Current results of the given rounds with their calls."""
    if not round_ids:
        return []
    return list(
        session.exec(
            select(CourtesyResult, CourtesyTest)
            .join(CourtesyTest, col(CourtesyTest.id) == CourtesyResult.test_id)
            .where(
                col(CourtesyTest.round_id).in_(list(round_ids)),
                col(CourtesyResult.superseded_at).is_(None),
            )
            .order_by(col(CourtesyTest.code))
        ).all()
    )


def fetch_result_history(session: Session, *, test_id: int) -> list[CourtesyResult]:
    return list(
        session.exec(
            select(CourtesyResult)
            .where(CourtesyResult.test_id == test_id)
            .order_by(col(CourtesyResult.id))
        ).all()
    )


def count_failures_of(session: Session, *, staff_id: int) -> int:
    """How many current results of this person failed."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CourtesyResult)
            .join(CourtesyTest, col(CourtesyTest.id) == CourtesyResult.test_id)
            .where(
                CourtesyTest.staff_id == staff_id,
                col(CourtesyResult.superseded_at).is_(None),
                col(CourtesyResult.passed).is_(False),
            )
        ).one()
    )


def fetch_actions(
    session: Session, *, open_only: bool = False, staff_ids: Sequence[int] | None = None
) -> list[CourtesyAction]:
    query = select(CourtesyAction).order_by(col(CourtesyAction.id))
    if open_only:
        query = query.where(CourtesyAction.status != ActionStatus.CLOSED.value)
    if staff_ids is not None:
        query = query.where(col(CourtesyAction.staff_id).in_(list(staff_ids)))
    return list(session.exec(query).all())


def fetch_action(session: Session, *, action_id: int) -> CourtesyAction | None:
    if not 0 < action_id < 2**31:  # no such row, and PostgreSQL would refuse the number
        return None
    return session.get(CourtesyAction, action_id)


def fetch_action_for_test(session: Session, *, test_id: int) -> CourtesyAction | None:
    return session.exec(select(CourtesyAction).where(CourtesyAction.test_id == test_id)).first()


def fetch_action_events(session: Session, *, action_id: int) -> list[CourtesyActionEvent]:
    return list(
        session.exec(
            select(CourtesyActionEvent)
            .where(CourtesyActionEvent.action_id == action_id)
            .order_by(col(CourtesyActionEvent.id))
        ).all()
    )


def add_action_event(
    session: Session,
    *,
    action_id: int,
    actor: str,
    from_status: str | None,
    to_status: str,
    note: str | None = None,
    at: datetime,
) -> None:
    session.add(
        CourtesyActionEvent(
            action_id=action_id,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
            at=at,
        )
    )


def fetch_telegram_ids(session: Session, *, person_ids: Sequence[int]) -> dict[int, int]:
    """person id → Telegram id."""
    if not person_ids:
        return {}
    rows = session.exec(
        select(Person.id, Person.telegram_id).where(col(Person.id).in_(list(person_ids)))
    ).all()
    return {pid: tid for pid, tid in rows if pid is not None}


def fetch_languages(session: Session, *, telegram_ids: Sequence[int]) -> dict[int, str]:
    """Telegram id → the language the person saved (people without one are left out)."""
    if not telegram_ids:
        return {}
    rows = session.exec(
        select(Person.telegram_id, Person.language).where(
            col(Person.telegram_id).in_(list(telegram_ids)), col(Person.language).is_not(None)
        )
    ).all()
    return {tid: language for tid, language in rows if language}
