"""Telephone courtesy tests: staff directory, rubrics, rounds, calls, results, actions."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class ActionStatus(StrEnum):
    """A corrective action's lifecycle, in order."""

    OPEN = "open"
    PLANNED = "planned"
    IMPLEMENTED = "implemented"
    VERIFIED = "verified"
    CLOSED = "closed"


class TestStatus(StrEnum):
    """Whether a planned call has a current result."""

    PLANNED = "planned"
    SCORED = "scored"


class CourtesyStaff(CreatedAt, table=True):
    """A member of staff who may be called (and, if an inspector, who calls); not a chat user.

    An inspector is linked to a Telegram person by `bsmi-desk courtesy staff link`, which sets
    `person_id`; /tests and /score use that link.
    """

    __tablename__ = "courtesystaff"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=64)
    extension: str = Field(max_length=16, unique=True, index=True)
    active: bool = True
    is_inspector: bool = False
    template: str = Field(default="business", max_length=32)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL", index=True
    )


class CourtesyRubric(CreatedAt, table=True):
    """One version of a scoring template; results point at the version they used."""

    __tablename__ = "courtesyrubric"
    __table_args__ = (UniqueConstraint("template", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=32)
    version: int
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    items: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))


class CourtesyRound(CreatedAt, table=True):
    """One of a year's three test windows, with the seed its calls were drawn from."""

    __tablename__ = "courtesyround"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: int
    starts_on: date
    ends_on: date
    due_on: date
    seed: int
    calendar_published: bool = True


class CourtesyTest(CreatedAt, table=True):
    """One unannounced call: who is called, when, and which inspector calls."""

    __tablename__ = "courtesytest"
    __table_args__ = (Index("ix_courtesytest_round_when", "round_id", "scheduled_on"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True, index=True)
    round_id: int = Field(foreign_key="courtesyround.id", ondelete="CASCADE")
    staff_id: int = Field(foreign_key="courtesystaff.id")
    inspector_id: int = Field(foreign_key="courtesystaff.id", index=True)
    scheduled_on: date
    scheduled_time: time
    status: str = Field(default=TestStatus.PLANNED.value, max_length=16)
    retest_of_action_id: int | None = Field(default=None, index=True)


class CourtesyResult(CreatedAt, table=True):
    """A scored call. Amending keeps the old row with `superseded_at` set."""

    __tablename__ = "courtesyresult"
    __table_args__ = (Index("ix_courtesyresult_test_current", "test_id", "superseded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    test_id: int = Field(foreign_key="courtesytest.id", ondelete="CASCADE")
    rubric_id: int = Field(foreign_key="courtesyrubric.id")
    rings: int | None = None
    seconds: int | None = None
    points: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    total: float
    grade: str = Field(max_length=8)
    passed: bool
    critical_failed: bool = False
    note: str | None = None
    recorded_by: str = Field(max_length=128)
    superseded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class CourtesyAction(CreatedAt, table=True):
    """A corrective and preventive action (矯正及預防措施) opened by a failing result."""

    __tablename__ = "courtesyaction"

    id: int | None = Field(default=None, primary_key=True)
    test_id: int = Field(foreign_key="courtesytest.id", ondelete="CASCADE", index=True)
    staff_id: int = Field(foreign_key="courtesystaff.id", index=True)
    status: str = Field(default=ActionStatus.OPEN.value, max_length=16, index=True)
    nonconformity: str
    points_lost: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    critical: bool = False
    repeat_count: int = 0
    correction: str | None = None
    cause: str | None = None
    plan: str | None = None
    owner: str | None = Field(default=None, max_length=64)
    due_on: date | None = None
    done_on: date | None = None
    evidence: str | None = None
    retest_test_id: int | None = Field(default=None, foreign_key="courtesytest.id")
    verification: str | None = None
    verified_by: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class CourtesyActionEvent(SQLModel, table=True):
    """One change of a corrective action: who, when, from which state to which, and why."""

    __tablename__ = "courtesyactionevent"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="courtesyaction.id", ondelete="CASCADE", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor: str = Field(max_length=128)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str | None = None
