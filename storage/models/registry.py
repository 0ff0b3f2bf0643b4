"""The register of certificates and registrations the branch keeps, their expiry reminders,
the chats that turned those reminders off, the firms a notice was targeted at, and each
category's renewal text."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.models.people import Person
from storage.types import AwareDateTime


class Certificate(CreatedAt, table=True):
    """One certificate or registration of a firm (統一編號), by kind (a category) and number;
    a withdrawn one stays as history but is reminded of no more."""

    __table_args__ = (
        UniqueConstraint("category_id", "number", name="uq_certificate_kind_number"),
        Index("ix_certificate_tax_id", "tax_id"),
        Index("ix_certificate_expires_on", "expires_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tax_id: str = Field(max_length=8)
    category_id: int = Field(foreign_key="category.id")
    number: str = Field(max_length=64)
    product: str = Field(max_length=200)
    holder: str | None = Field(default=None, max_length=200)
    expires_on: date
    withdrawn_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    updated_at: datetime = Field(sa_type=AwareDateTime)


class ReminderState(StrEnum):
    """Where one expiry reminder is."""

    PLANNED = "planned"
    SENT = "sent"  # released into the outbox to the firm's chats
    CANCELLED = "cancelled"  # the certificate was renewed or withdrawn first
    SUPERSEDED = "superseded"  # a later reminder of the same certificate was due at once
    UNREACHABLE = "unreachable"  # due, but no chat holds the firm's 統一編號
    SKIPPED = "skipped"  # due, but past the expiry, or every linked chat turned reminders off


class ExpiryReminder(SQLModel, table=True):
    """One reminder of one certificate's expiry: `days_before` the expiry it is for, planned
    on a working day and due from `due_at`. Unique per expiry and day count, so no certificate
    gets the same reminder twice."""

    __table_args__ = (
        UniqueConstraint(
            "certificate_id", "expires_on", "days_before", name="uq_expiryreminder_once"
        ),
        Index("ix_expiryreminder_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", ondelete="CASCADE")
    expires_on: date
    days_before: int
    planned_on: date
    due_at: datetime = Field(sa_type=AwareDateTime)
    state: str = Field(max_length=16, default=ReminderState.PLANNED.value)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    notice_id: int | None = Field(default=None, foreign_key="notice.id", ondelete="SET NULL")
    recipients: int = 0


class ReminderOptOut(CreatedAt, table=True):
    """A chat that turned certificate expiry reminders off with /reminders."""

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")


class NoticeTaxId(SQLModel, table=True):
    """A 統一編號 a notice was targeted at (its firm's chats receive it)."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True, ondelete="CASCADE")
    tax_id: str = Field(max_length=8, primary_key=True)


class CategoryRenewal(SQLModel, table=True):
    """What a reminder of a certificate of this category tells the firm to do (a link or
    the procedure), editable by admins."""

    category_id: int = Field(foreign_key="category.id", primary_key=True, ondelete="CASCADE")
    text_zh: str = Field(max_length=1000)
    text_en: str = Field(max_length=1000)
    updated_at: datetime = Field(sa_type=AwareDateTime)


# Chats are found by the 統一編號 in their profile.
PERSON_TAX_ID_INDEX = Index("ix_person_tax_id", Person.tax_id)  # type: ignore[arg-type]
