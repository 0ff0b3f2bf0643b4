"""Notices by e-mail: confirmed subscribers, their categories and link tokens, and the requests
waiting for confirmation (double opt-in), and the digests written. The e-mails themselves are
outbox rows (`Delivery` with `channel` 'email')."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class EmailFrequency(StrEnum):
    """How often a subscriber gets notices: each one as it is released, or a digest."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


class EmailSubscriber(CreatedAt, table=True):
    """A confirmed address (lower-cased domain, stripped) and how it wants notices; deleted
    when it leaves every category or the server refuses it (bounced)."""

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=254, unique=True)
    language: str = Field(max_length=8)
    frequency: str = Field(max_length=16, default=EmailFrequency.IMMEDIATELY.value)
    confirmed_at: datetime = Field(sa_type=AwareDateTime)


class EmailSubscriberCategory(SQLModel, table=True):
    """A category an address receives."""

    __table_args__ = (Index("ix_emailsubscribercategory_category", "category_id"),)

    subscriber_id: int = Field(
        foreign_key="emailsubscriber.id", primary_key=True, ondelete="CASCADE"
    )
    category_id: int = Field(foreign_key="category.id", primary_key=True, ondelete="CASCADE")


class EmailToken(CreatedAt, table=True):
    """The SHA-256 of a link token (manage, unsubscribe) of a subscriber. The token itself
    (128 random bits from `secrets`) is only ever in the e-mail it was made for: each e-mail
    gets its own when it is sent, so the database holds nothing a link can be made from; a
    confirmation link, once pressed, is kept as the subscriber's first manage link. A
    token never expires; revoking deletes them all (`storage.queries.mail.revoke_tokens`)."""

    token_hash: str = Field(primary_key=True, max_length=64)
    subscriber_id: int = Field(foreign_key="emailsubscriber.id", ondelete="CASCADE", index=True)


class EmailRequest(CreatedAt, table=True):
    """A subscription asked for and not yet confirmed; deleted when confirmed or after
    `REQUEST_DAYS`. `token_hash` is the SHA-256 of the confirmation link's token, made when
    its e-mail is sent (None before). `client_hash` is a keyed hash of the client's address,
    for the limit on requests per client."""

    __table_args__ = (
        Index("ix_emailrequest_address", "address", "created_at"),
        Index("ix_emailrequest_client", "client_hash", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=254)
    category_ids: str = Field(max_length=1000)
    """The wanted categories' ids, comma-separated."""
    frequency: str = Field(max_length=16)
    language: str = Field(max_length=8)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    client_hash: str | None = Field(default=None, max_length=64)


class EmailDigest(CreatedAt, table=True):
    """A daily or weekly digest written to the outbox, once per frequency and day: it covers
    the notices released after `since` up to and including `cut_off` (the previous digest's
    cut-off and this one's), so a missed day is covered by the next and nothing twice.
    `recipients`: the e-mail rows it wrote (one per subscriber with something to read)."""

    __table_args__ = (UniqueConstraint("frequency", "day", name="uq_emaildigest_frequency_day"),)

    id: int | None = Field(default=None, primary_key=True)
    frequency: str = Field(max_length=16)
    day: date
    since: datetime = Field(sa_type=AwareDateTime)
    cut_off: datetime = Field(sa_type=AwareDateTime)
    recipients: int = 0
