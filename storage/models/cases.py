"""Complaints and monitor reports: cases, their history, files, reporters and reminders.

The reporter's identity lives in its own table (`casereporter`) so that units never read it and
deleting the person (`/forget`) removes it by ON DELETE CASCADE, leaving the case on file.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class CaseKind(StrEnum):
    """What a case is about; the letter starts its number."""

    PRODUCT = "product"
    SERVICE = "service"
    MONITOR = "monitor"

    @property
    def letter(self) -> str:
        return {"product": "P", "service": "S", "monitor": "M"}[self.value]


class CaseState(StrEnum):
    """The lifecycle (received → assigned → investigating → replied → closed) and side states."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    NEEDS_INFO = "needs_info"
    REPLIED = "replied"
    CLOSED = "closed"
    TRANSFERRED = "transferred"
    DUPLICATE = "duplicate"
    NOT_HANDLED = "not_handled"


FINAL_STATES = frozenset(
    {CaseState.CLOSED, CaseState.TRANSFERRED, CaseState.DUPLICATE, CaseState.NOT_HANDLED}
)
"""States in which the case is finished and its clock has stopped."""


class Channel(StrEnum):
    """How a case reached the branch."""

    TELEGRAM = "telegram"
    PHONE = "phone"
    LETTER = "letter"
    WEB = "web"
    EMAIL = "email"
    WALK_IN = "walk_in"


class ReplyChannel(StrEnum):
    """How the final reply reached a petitioner who has no chat (recorded, not sent)."""

    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"


class Closure(StrEnum):
    """How a finished case is recorded: 依限辦結 or 逾限辦結."""

    ON_TIME = "on_time"
    LATE = "late"


class CaseBase(SQLModel):
    kind: str = Field(max_length=16)
    channel: str = Field(default=Channel.TELEGRAM.value, max_length=16)
    subject: str = Field(max_length=500)
    location: str | None = Field(default=None, max_length=500)
    description: str
    category_id: int | None = Field(default=None, foreign_key="category.id")


class Case(CaseBase, CreatedAt, table=True):
    """One complaint or report; `due_on` is the current deadline (the row is the truth)."""

    __tablename__ = "casefile"
    __table_args__ = (
        UniqueConstraint("kind", "year", "seq", name="uq_casefile_kind_year_seq"),
        Index("ix_casefile_received_closed", "received_on", "closed_on"),
        Index("ix_casefile_closed_received", "closed_on", "received_on"),
        Index("ix_casefile_state_due", "state", "due_on"),
        Index("ix_casefile_unit_state", "unit_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True, index=True)
    year: int
    seq: int
    state: str = Field(default=CaseState.RECEIVED.value, max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    received_at: datetime = Field(sa_type=AwareDateTime)
    received_on: date
    due_on: date
    extended_days: int = 0
    paused_on: date | None = None
    replied_on: date | None = None
    closed_on: date | None = None
    closure: str | None = Field(default=None, max_length=16)
    days_to_close: int | None = None
    duplicate_of_id: int | None = Field(default=None, foreign_key="casefile.id")
    reason: str | None = None
    reply_text: str | None = None
    reply_channel: str | None = Field(default=None, max_length=16)
    """How the final reply was given off chat (`ReplyChannel`); None when sent in chat."""
    import_id: int | None = Field(default=None, foreign_key="caseimport.id", index=True)
    """The `case import` that wrote the row (None when filed in chat); hidden from staff and
    reminders until that import has finished."""


class CaseImport(SQLModel, table=True):
    """One `case import`, written in batches: unfinished, its rows are hidden and, if a batch
    fails or the import stops being touched, deleted again (all rows or none)."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=AwareDateTime)
    touched_at: datetime = Field(sa_type=AwareDateTime)
    """Updated by every batch; an unfinished import untouched for long was interrupted."""
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    rows: int = 0


class CaseCounter(SQLModel, table=True):
    """The last sequence number given per kind and year; incremented in the filing transaction."""

    kind: str = Field(max_length=16, primary_key=True)
    year: int = Field(primary_key=True)
    last_seq: int = 0


class CaseReporter(SQLModel, table=True):
    """Who filed a case: visible to the secretariat and admins only; gone with `/forget`."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", ondelete="CASCADE", unique=True)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="CASCADE", index=True
    )
    anonymous: bool = False
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_address: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=254)
    language: str | None = Field(default=None, max_length=8)


class CaseAttachment(SQLModel, table=True):
    """A photo or document attached by the reporter, kept as its Telegram file id."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    file_id: str = Field(max_length=256)
    file_name: str | None = Field(default=None, max_length=256)


class CaseEvent(SQLModel, table=True):
    """One change of a case: who, when, from → to, and a note."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", ondelete="CASCADE", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    note: str | None = None
