"""Visits to firms (企業關懷, 赴廠訪視) and the needs firms raise, by a visit, the phone or
e-mail, each answered within a deadline on the work calendar.

A firm is kept by its 統一編號 and, optionally, its name; no contact person's name or phone is
recorded (the /privacy notice says so)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from storage.models.base import CreatedAt


class VisitKind(StrEnum):
    CARE = "care"  # 企業關懷活動
    FACTORY = "factory"  # 赴廠訪視


class NeedChannel(StrEnum):
    """How a need reached the branch."""

    VISIT = "visit"
    PHONE = "phone"
    EMAIL = "email"


class Visit(CreatedAt, table=True):
    """One visit of a unit to a firm on a day."""

    __table_args__ = (Index("ix_visit_on_unit", "visited_on", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    visited_on: date
    unit_id: int = Field(foreign_key="unit.id")
    tax_id: str = Field(max_length=8, index=True)
    firm_name: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=16, default=VisitKind.CARE.value)
    recorded_by: str = Field(max_length=128)


class FirmNeed(CreatedAt, table=True):
    """A need a firm raised: owned by a unit, due on `due_on`, answered once (text, day, who).
    Answered on time when `answered_on` is on or before `due_on`."""

    __table_args__ = (
        Index("ix_firmneed_raised_unit", "raised_on", "unit_id"),
        Index("ix_firmneed_open_due", "answered_on", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id")
    tax_id: str = Field(max_length=8)
    firm_name: str | None = Field(default=None, max_length=200)
    channel: str = Field(max_length=16, default=NeedChannel.VISIT.value)
    text: str = Field(max_length=2000)
    raised_on: date
    due_on: date
    recorded_by: str = Field(max_length=128)
    answer: str | None = Field(default=None, max_length=2000)
    answered_on: date | None = None
    answered_by: str | None = Field(default=None, max_length=128)
    notice_id: int | None = Field(default=None, foreign_key="notice.id", ondelete="SET NULL")
    """The targeted notice the need was turned into, if any (the last one)."""
