"""The instant-notice network: categories, subscriptions, notices and the delivery outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class Category(SQLModel, table=True):
    """A business category firms subscribe to; retired ones keep their history."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    sort_order: int = 0
    retired_at: datetime | None = Field(default=None, sa_type=AwareDateTime)

    def name_in(self, language: str) -> str:
        """The name in `language` (zh-TW, else English)."""
        return self.name_zh if language == "zh-TW" else self.name_en


class Subscription(CreatedAt, table=True):
    """A person receives the notices of a category; goes with the person (ON DELETE CASCADE)."""

    __table_args__ = (
        UniqueConstraint("person_id", "category_id", name="uq_subscription_person_category"),
        Index("ix_subscription_category", "category_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    category_id: int = Field(foreign_key="category.id", ondelete="CASCADE")


class NoticeState(StrEnum):
    """Where a notice is in publishing (its deliveries have their own status)."""

    SCHEDULED = "scheduled"
    RELEASED = "released"
    CANCELLED = "cancelled"


class NoticeKind(StrEnum):
    """What an outbox message is: a notice staff wrote, or a message a feature composes.

    A `notice` is rendered from its title and body; any other kind is composed by the feature
    that owns it from `ref_id` (e.g. a certificate reminder, a survey invitation), per language,
    by the composer `bot.delivery.composers` names for the kind.
    """

    NOTICE = "notice"
    REMINDER = "reminder"
    SURVEY = "survey"
    CASE_SURVEY = "case_survey"  # the satisfaction question after a closed case
    CASE_NEWS = "case_news"  # a change of a case told to its reporter or to staff
    CASE_REMINDER = "case_reminder"  # half time, the day before, the overdue list
    COURTESY_REMINDER = "courtesy_reminder"  # today's calls, results due, overdue results
    ASSESSMENT_REMINDER = "assessment_reminder"  # a self-assessment deadline
    IMPROVEMENT_REMINDER = "improvement_reminder"  # a survey improvement action due or overdue
    NEED_REMINDER = "need_reminder"  # a firm's need to answer, before its deadline or overdue
    DUTY_REMINDER = "duty_reminder"  # a recurring duty due in 10 or 3 working days, or today
    EMAIL_CONFIRM = "email_confirm"  # the e-mail asking to confirm a subscription (`ref_id`)
    EMAIL_DIGEST = "email_digest"  # a daily or weekly digest e-mail (`ref_id`: an EmailDigest)


TEXT_KINDS = frozenset(
    {
        NoticeKind.CASE_NEWS.value,
        NoticeKind.CASE_REMINDER.value,
        NoticeKind.COURTESY_REMINDER.value,
        NoticeKind.ASSESSMENT_REMINDER.value,
        NoticeKind.IMPROVEMENT_REMINDER.value,
        NoticeKind.NEED_REMINDER.value,
        NoticeKind.DUTY_REMINDER.value,
    }
)
"""Kinds whose `ref_id` is an `OutboxText`: a catalogue text rendered when it is sent; they
are messages to one person about their own work or case and go before a broadcast's copies."""

URGENT = 0
"""Delivery priority of case news and reminders: before the remaining copies of a broadcast."""
BULK = 1
"""Delivery priority of a notice, a survey invitation, a certificate reminder."""


class Notice(CreatedAt, table=True):
    """A message released into the outbox once: a notice to the subscribers of its categories,
    or (by `kind`) a message a feature composes from `ref_id` for the recipients it chose."""

    __table_args__ = (
        Index("ix_notice_state_due", "state", "scheduled_at"),
        Index("ix_notice_kind_ref", "kind", "ref_id"),
        Index("ix_notice_public_released", "public", "released_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str
    state: str = Field(max_length=16, default=NoticeState.SCHEDULED.value)
    scheduled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    released_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    attachment_name: str | None = Field(default=None, max_length=255)
    attachment_file_id: str | None = Field(default=None, max_length=255)
    recipients: int = 0
    kind: str = Field(
        max_length=32,
        default=NoticeKind.NOTICE.value,
        sa_column_kwargs={"server_default": NoticeKind.NOTICE.value},
    )
    ref_id: int | None = Field(default=None)
    public: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    """In the public archive once released (`storage.queries.archive`): a notice to categories
    whose author did not mark it not for the archive; never one sent to a list of 統一編號,
    nor a reminder, survey invitation or case news, whatever this says."""


class OutboxText(SQLModel, table=True):
    """What an outbox message of a `TEXT_KINDS` kind says: a catalogue key and its values
    (JSON; a date as `{"date": ISO}`, text already in HTML as `{"html": text}`), rendered in
    each recipient's language when it is sent. A `public` text goes to a reporter and is signed
    by the branch with its contact line; `case_id` ties case news to its case, for the card's
    proof of delivery (gone with the case)."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(
        default=None, foreign_key="casefile.id", ondelete="CASCADE", index=True
    )
    key: str = Field(max_length=64)
    values: str = "{}"
    public: bool = False


class NoticeCategory(SQLModel, table=True):
    """Which categories a notice went to."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="category.id", primary_key=True)


class NoticeAttachment(SQLModel, table=True):
    """An attachment uploaded from the command line, kept until Telegram gives it a file id."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True, ondelete="CASCADE")
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DeliveryStatus(StrEnum):
    """One outbox row's state: what happened to one notice for one chat."""

    PENDING = "pending"
    RETRYING = "retrying"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNKNOWN = "unknown"  # sent, no answer came back: it may have arrived, so it is not resent


OPEN_STATUSES = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)


class Channel(StrEnum):
    """How an outbox row goes: a Telegram chat, or an e-mail address."""

    TELEGRAM = "telegram"
    EMAIL = "email"


class Delivery(SQLModel, table=True):
    """The outbox: one row per (notice, chat), written in one statement at release.

    `parts_sent` counts the messages of a long notice (and its attachment) already accepted, so
    a retry goes on from there. `person_id` is set NULL when a person is forgotten; the chat id
    of a row already sent stays as proof of delivery, rows not yet sent are closed as failed
    before the person goes. A survey invitation's or a case question's row would tie the
    answers to the chat, so /forget replaces its chat id (NULL) by `chat_hash`, a keyed one-way
    hash of it (`storage.queries.surveys.unlink_person_answers`).

    An e-mail row (`channel` 'email', sent by the mail sender, never by the Telegram worker)
    names its subscriber (`email_id`, NULL once the address is deleted; NULL too for a
    confirmation e-mail, whose address is its request's) and keeps `email_hash`, a keyed
    one-way hash of the address, as proof of delivery after the address is gone.
    """

    __table_args__ = (
        UniqueConstraint("notice_id", "chat_id", name="uq_delivery_notice_chat"),
        UniqueConstraint("once_key", name="uq_delivery_once_key"),
        Index("ix_delivery_urgent", "priority", "status"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_channel_due", "channel", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    chat_hash: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16, default=DeliveryStatus.PENDING.value)
    attempts: int = 0
    parts_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime = Field(sa_type=AwareDateTime)
    first_error_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=255)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    priority: int = Field(default=BULK, sa_column_kwargs={"server_default": str(BULK)})
    once_key: str | None = Field(default=None, max_length=160)
    """For a message that must never go twice (a reminder): kind, reference, recipient and due
    day, so a second row for the same cannot be written."""
    channel: str = Field(
        max_length=16,
        default=Channel.TELEGRAM.value,
        sa_column_kwargs={"server_default": Channel.TELEGRAM.value},
    )
    email_id: int | None = Field(
        default=None, foreign_key="emailsubscriber.id", ondelete="SET NULL", index=True
    )
    email_hash: str | None = Field(default=None, max_length=64)
