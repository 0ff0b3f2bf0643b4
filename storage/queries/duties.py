"""Recurring duties, their occurrences and evidence, and training sessions: keyword-only
verbs that never commit (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from kernel.periods import Period
from storage.models import (
    Duty,
    DutyEvidence,
    DutyOccurrence,
    TrainingSession,
    Unit,
)
from storage.queries.assessment import fetch_targets

Listed = tuple[DutyOccurrence, Duty, Unit]
"""An occurrence with its duty and the duty's owner unit."""


def fetch_duties(session: Session, *, active_only: bool = True) -> list[tuple[Duty, Unit]]:
    """Every duty with its owner unit, in the order they were added."""
    query = select(Duty, Unit).join(Unit, col(Unit.id) == col(Duty.unit_id))
    if active_only:
        query = query.where(col(Duty.active).is_(True))
    return [(d, u) for d, u in session.exec(query.order_by(col(Duty.id))).all()]


def save_duty(session: Session, *, duty: Duty) -> Duty:
    session.add(duty)
    session.flush()
    return duty


def save_missing_occurrences(
    session: Session, *, duty_id: int, dates: Iterable[tuple[date, date]]
) -> int:
    """Write an occurrence for each (nominal date, due date) the duty does not have yet;
    returns how many were written."""
    wanted = dict(dates)
    if not wanted:
        return 0
    have = set(
        session.exec(
            select(col(DutyOccurrence.nominal_on)).where(
                col(DutyOccurrence.duty_id) == duty_id,
                col(DutyOccurrence.nominal_on).in_(list(wanted)),
            )
        ).all()
    )
    for nominal, due in sorted(wanted.items()):
        if nominal not in have:
            session.add(DutyOccurrence(duty_id=duty_id, nominal_on=nominal, due_on=due))
    session.flush()
    return len(wanted) - len(have)


def fetch_occurrences(
    session: Session, *, first: date, last: date, active_only: bool = True
) -> list[Listed]:
    """The occurrences due from `first` to `last`, earliest first."""
    query = (
        select(DutyOccurrence, Duty, Unit)
        .join(Duty, col(Duty.id) == col(DutyOccurrence.duty_id))
        .join(Unit, col(Unit.id) == col(Duty.unit_id))
        .where(col(DutyOccurrence.due_on) >= first, col(DutyOccurrence.due_on) <= last)
    )
    if active_only:
        query = query.where(col(Duty.active).is_(True))
    query = query.order_by(col(DutyOccurrence.due_on), col(DutyOccurrence.id))
    return [(o, d, u) for o, d, u in session.exec(query).all()]


def fetch_open_occurrences_before(session: Session, *, day: date) -> list[Listed]:
    """Occurrences of active duties due before `day` and not done, earliest first."""
    query = (
        select(DutyOccurrence, Duty, Unit)
        .join(Duty, col(Duty.id) == col(DutyOccurrence.duty_id))
        .join(Unit, col(Unit.id) == col(Duty.unit_id))
        .where(
            col(DutyOccurrence.due_on) < day,
            col(DutyOccurrence.done_on).is_(None),
            col(Duty.active).is_(True),
        )
        .order_by(col(DutyOccurrence.due_on), col(DutyOccurrence.id))
    )
    return [(o, d, u) for o, d, u in session.exec(query).all()]


def fetch_done_occurrences_since(session: Session, *, day: date) -> list[Listed]:
    """Occurrences done on or after `day`, latest first."""
    query = (
        select(DutyOccurrence, Duty, Unit)
        .join(Duty, col(Duty.id) == col(DutyOccurrence.duty_id))
        .join(Unit, col(Unit.id) == col(Duty.unit_id))
        .where(col(DutyOccurrence.done_on) >= day)
        .order_by(col(DutyOccurrence.done_on).desc(), col(DutyOccurrence.id).desc())
    )
    return [(o, d, u) for o, d, u in session.exec(query).all()]


def fetch_occurrence(session: Session, *, occurrence_id: int) -> Listed | None:
    row = session.exec(
        select(DutyOccurrence, Duty, Unit)
        .join(Duty, col(Duty.id) == col(DutyOccurrence.duty_id))
        .join(Unit, col(Unit.id) == col(Duty.unit_id))
        .where(col(DutyOccurrence.id) == occurrence_id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def save_evidence(session: Session, *, rows: Iterable[DutyEvidence]) -> None:
    session.add_all(list(rows))
    session.flush()


def fetch_evidence(session: Session, *, occurrence_id: int) -> list[DutyEvidence]:
    return list(
        session.exec(
            select(DutyEvidence)
            .where(col(DutyEvidence.occurrence_id) == occurrence_id)
            .order_by(col(DutyEvidence.id))
        ).all()
    )


def save_training(session: Session, *, row: TrainingSession) -> TrainingSession:
    session.add(row)
    session.flush()
    return row


def fetch_training(
    session: Session, *, first: date, last: date
) -> list[tuple[TrainingSession, Unit]]:
    """The sessions held from `first` to `last`, in date order."""
    query = (
        select(TrainingSession, Unit)
        .join(Unit, col(Unit.id) == col(TrainingSession.unit_id))
        .where(col(TrainingSession.held_on) >= first, col(TrainingSession.held_on) <= last)
        .order_by(col(TrainingSession.held_on), col(TrainingSession.id))
    )
    return [(s, u) for s, u in session.exec(query).all()]


@dataclass(frozen=True)
class TrainingTally:
    """Sessions, hours and attendees held, of one unit or of the branch."""

    sessions: int = 0
    hours: float = 0.0
    attendees: int = 0

    def plus(self, row: TrainingSession) -> TrainingTally:
        return TrainingTally(
            self.sessions + 1, self.hours + row.hours, self.attendees + row.attendees
        )


def tally_training(
    session: Session, *, first: date, last: date
) -> tuple[TrainingTally, dict[str, TrainingTally]]:
    """The branch's total and each unit's (by code) from `first` to `last`."""
    total = TrainingTally()
    by_unit: dict[str, TrainingTally] = {}
    for row, unit in fetch_training(session=session, first=first, last=last):
        total = total.plus(row)
        by_unit[unit.code] = by_unit.get(unit.code, TrainingTally()).plus(row)
    return total, by_unit


@dataclass(frozen=True)
class TrainingProgress:
    """Sessions held in a period against the year's target (`defaulted`: the plan's 26)."""

    period: Period
    total: TrainingTally
    by_unit: dict[str, TrainingTally]
    target: int
    defaulted: bool

    @property
    def progress(self) -> float | None:
        """Sessions held as a share of the year's target (0.5 for 13 of 26)."""
        return self.total.sessions / self.target if self.target else None


def fetch_training_progress(session: Session, *, period: Period, today: date) -> TrainingProgress:
    """Sessions, hours and attendees held in the period (up to today), per unit and in all,
    against the year's target."""
    total, by_unit = tally_training(
        session=session, first=period.first, last=min(period.last, today)
    )
    targets = fetch_targets(session=session, year=period.year)
    return TrainingProgress(
        period, total, by_unit, targets.training, "training" in targets.defaulted
    )
