"""The self-assessment and the yearly targets: scores with their history, follow-ups,
publication, reminders sent, and each year's targets with the plan's figures as fallback."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, text
from sqlmodel import Session, col, select

from storage.models import (
    AssessmentFollowUp,
    AssessmentPublication,
    AssessmentScore,
    Category,
    Delivery,
    Notice,
    NoticeCategory,
    YearTarget,
)
from storage.models.notices import DeliveryStatus, NoticeKind

PLAN_TARGETS = {"public": 350, "monitor": 250, "courtesy": 80, "training": 26}
"""The service-efficiency plan's yearly figures, used for a year (or a figure) not set."""


@dataclass(frozen=True)
class Targets:
    """A year's targets; `defaulted` names the figures that are the plan's, not set."""

    year: int
    public: int
    monitor: int
    courtesy: int
    training: int
    defaulted: frozenset[str]


def fetch_targets(session: Session, *, year: int) -> Targets:
    """The year's targets, each figure not set taken from the plan (and named in `defaulted`)."""
    row = session.get(YearTarget, year)
    values: dict[str, int] = {}
    defaulted = set()
    for name, plan in PLAN_TARGETS.items():
        value = getattr(row, name) if row is not None else None
        if value is None:
            defaulted.add(name)
            value = plan
        values[name] = value
    return Targets(year=year, defaulted=frozenset(defaulted), **values)


def fetch_year_targets(session: Session) -> list[YearTarget]:
    """Every year that has targets set, oldest first."""
    return list(session.exec(select(YearTarget).order_by(col(YearTarget.year))).all())


def save_targets(
    session: Session, *, year: int, figures: dict[str, int], at: datetime, by: str
) -> YearTarget:
    """Set some of a year's targets; the others stay as they were."""
    row = session.get(YearTarget, year) or YearTarget(year=year, updated_at=at, updated_by=by)
    for name, value in figures.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by = at, by
    session.add(row)
    session.flush()
    return row


def fetch_current_scores(session: Session, *, period: str) -> dict[int, AssessmentScore]:
    """unit id → the unit's current score row in `period`."""
    rows = session.exec(
        select(AssessmentScore).where(
            col(AssessmentScore.period) == period, col(AssessmentScore.superseded_at).is_(None)
        )
    ).all()
    return {row.unit_id: row for row in rows}


def fetch_score_history(session: Session, *, period: str, unit_id: int) -> list[AssessmentScore]:
    """Every score row of a unit in a period, the oldest first (the last is current)."""
    return list(
        session.exec(
            select(AssessmentScore)
            .where(col(AssessmentScore.period) == period, col(AssessmentScore.unit_id) == unit_id)
            .order_by(col(AssessmentScore.recorded_at), col(AssessmentScore.id))
        ).all()
    )


def save_score(session: Session, *, score: AssessmentScore) -> AssessmentScore:
    """Add `score` as the unit's current row; the previous one is kept as history."""
    for old in session.exec(
        select(AssessmentScore).where(
            col(AssessmentScore.period) == score.period,
            col(AssessmentScore.unit_id) == score.unit_id,
            col(AssessmentScore.superseded_at).is_(None),
        )
    ).all():
        old.superseded_at = score.recorded_at
        session.add(old)
    session.add(score)
    session.flush()
    return score


def lock_period(session: Session, *, period: str) -> None:
    """Hold the period until the caller's transaction ends, so that scoring and publishing
    one period take turns: a score checked as "not published" is saved before a publication
    can commit, or is checked after it. On PostgreSQL a transaction-scoped advisory lock keyed
    by the period (there is no period row before publication to lock FOR UPDATE); on SQLite
    every writing transaction begins IMMEDIATE and already holds the database's one write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"assessment.period:{period}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def fetch_publication(session: Session, *, period: str) -> AssessmentPublication | None:
    return session.get(AssessmentPublication, period)


def save_publication(
    session: Session, *, period: str, at: datetime, by: str
) -> AssessmentPublication:
    row = AssessmentPublication(period=period, published_at=at, published_by=by)
    session.add(row)
    session.flush()
    return row


def add_follow_up(
    session: Session, *, period: str, unit_id: int, text: str, at: datetime, by: str
) -> AssessmentFollowUp:
    row = AssessmentFollowUp(
        period=period, unit_id=unit_id, text=text, recorded_at=at, recorded_by=by
    )
    session.add(row)
    session.flush()
    return row


def fetch_follow_ups(session: Session, *, period: str) -> dict[int, list[AssessmentFollowUp]]:
    """unit id → its follow-ups in `period`, in the order they were recorded."""
    rows = session.exec(
        select(AssessmentFollowUp)
        .where(col(AssessmentFollowUp.period) == period)
        .order_by(col(AssessmentFollowUp.recorded_at), col(AssessmentFollowUp.id))
    ).all()
    found: dict[int, list[AssessmentFollowUp]] = {}
    for row in rows:
        found.setdefault(row.unit_id, []).append(row)
    return found


def fetch_notice_reach(
    session: Session, *, start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """(category code, notices released, firms reached) per category for the notices
    released in [start, end): firms reached are distinct chats with a delivery sent; a
    notice to two categories counts in both."""
    released = and_(
        col(Notice.kind) == NoticeKind.NOTICE.value,
        col(Notice.released_at) >= start,
        col(Notice.released_at) < end,
    )
    notices = dict(
        session.execute(
            select(col(Category.code), func.count(func.distinct(col(Notice.id))))
            .select_from(Notice)
            .join(NoticeCategory, col(NoticeCategory.notice_id) == Notice.id)
            .join(Category, col(Category.id) == NoticeCategory.category_id)
            .where(released)
            .group_by(col(Category.code))
        ).all()
    )
    reached = dict(
        session.execute(
            select(col(Category.code), func.count(func.distinct(col(Delivery.chat_id))))
            .select_from(Notice)
            .join(NoticeCategory, col(NoticeCategory.notice_id) == Notice.id)
            .join(Category, col(Category.id) == NoticeCategory.category_id)
            .join(Delivery, col(Delivery.notice_id) == Notice.id)
            .where(released, col(Delivery.status) == DeliveryStatus.SENT.value)
            .group_by(col(Category.code))
        ).all()
    )
    return [(code, int(n), int(reached.get(code, 0))) for code, n in sorted(notices.items())]
