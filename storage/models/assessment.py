"""The self-assessment (附表2) and the yearly targets: targets per year, the review panel's scores
per period and unit with their history, the follow-ups, publication and reminders sent.

A period is `YYYY-H1` (the first half-year) or `YYYY` (the whole year), stored as that text.
A score row is never updated: a change supersedes the current row (`superseded_at`) and adds a
new one, so the history of every change is kept until the period is published.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class YearTarget(SQLModel, table=True):
    """The plan's targets for one year; a figure left NULL falls back to the plan's default."""

    year: int = Field(primary_key=True)
    public: int | None = None
    monitor: int | None = None
    courtesy: int | None = None
    training: int | None = None
    updated_at: datetime = Field(sa_type=AwareDateTime)
    updated_by: str = Field(max_length=128)


class AssessmentScore(SQLModel, table=True):
    """One unit's scores on the five dimensions of 附表1 for one period; the current row has
    `superseded_at` NULL."""

    __table_args__ = (Index("ix_assessmentscore_period_unit", "period", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=8)
    unit_id: int = Field(foreign_key="unit.id")
    basic: int
    delivery: int
    capacity: int
    evaluation: int
    innovation: int
    assessed_on: str = Field(max_length=7)
    """考核年月 as `YYYY-MM`."""
    note: str | None = None
    recorded_by: str = Field(max_length=128)
    recorded_at: datetime = Field(sa_type=AwareDateTime)
    superseded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class AssessmentFollowUp(SQLModel, table=True):
    """考核結果處理情形: what was done with a unit's result (asked to improve, published)."""

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=8, index=True)
    unit_id: int = Field(foreign_key="unit.id")
    text: str
    recorded_by: str = Field(max_length=128)
    recorded_at: datetime = Field(sa_type=AwareDateTime)


class AssessmentPublication(SQLModel, table=True):
    """A period published: its scores are locked from then on."""

    period: str = Field(max_length=8, primary_key=True)
    published_at: datetime = Field(sa_type=AwareDateTime)
    published_by: str = Field(max_length=128)
