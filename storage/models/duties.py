"""Recurring duties (定期工作) and training sessions.

A duty recurs (monthly, quarterly, half-yearly, yearly or on fixed dates each year) and is owned
by a unit; each occurrence is a row per duty and nominal date (unique), due on the work calendar
(the last working day on or before that date), done with a date, who, a note and its evidence
(Telegram file ids from chat, files copied under the data folder from the command line). A
training session is one event a unit held, with its hours and attendees.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class Recurrence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"
    YEARLY = "yearly"
    DATES = "dates"
    """On the same fixed dates each year (`Duty.dates`: `MM-DD,MM-DD`)."""


class Audience(StrEnum):
    STAFF = "staff"
    FIRMS = "firms"


class Duty(CreatedAt, table=True):
    """A recurring duty: its names, owner unit and when it falls due."""

    id: int | None = Field(default=None, primary_key=True)
    title_zh: str = Field(max_length=120)
    title_en: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id")
    every: str = Field(max_length=16)
    """A `Recurrence`."""
    day: int | None = None
    """The day of the month it falls on (a shorter month: its last day)."""
    month: int | None = None
    """The first month of its cycle (quarterly, half-yearly) or its month (yearly)."""
    dates: str | None = Field(default=None, max_length=200)
    """Fixed dates each year, `MM-DD,MM-DD`."""
    starts_on: date
    """No occurrence falls before this day (a new duty is not overdue for its past)."""
    facility: bool = True
    """Counted under 一(二) 服務友善 (facilities, website) in the panel's evidence; False for
    the plan's own cycle."""
    active: bool = True

    def title_in(self, language: str) -> str:
        return self.title_zh if language == "zh-TW" else self.title_en


class DutyOccurrence(SQLModel, table=True):
    """One occurrence of a duty: its nominal date, the working day it is due, and when done."""

    __table_args__ = (UniqueConstraint("duty_id", "nominal_on"),)

    id: int | None = Field(default=None, primary_key=True)
    duty_id: int = Field(foreign_key="duty.id", ondelete="CASCADE", index=True)
    nominal_on: date
    due_on: date = Field(index=True)
    done_on: date | None = None
    done_by: str | None = Field(default=None, max_length=128)
    """Who did it: a staff member's name in chat, `cli:USER` from the command line."""
    done_by_person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL"
    )
    note: str | None = None
    recorded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class DutyEvidence(SQLModel, table=True):
    """A photo or file showing an occurrence done: a Telegram file id, or a path on disk."""

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="dutyoccurrence.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    """photo, document (from chat) or file (copied from the command line)."""
    file_id: str | None = Field(default=None, max_length=256)
    path: str | None = Field(default=None, max_length=512)
    file_name: str | None = Field(default=None, max_length=256)


class TrainingSession(CreatedAt, table=True):
    """A professional training session a unit held (一(一)3)."""

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    unit_id: int = Field(foreign_key="unit.id")
    title: str = Field(max_length=200)
    hours: float
    attendees: int
    audience: str = Field(max_length=8, default=Audience.STAFF.value)
    recorded_by: str = Field(max_length=128)
