"""What a notice may be (title, body, categories, attachment, time), publishing it, and the
release of scheduled notices when their time comes: the outbox rows are written by one
INSERT … SELECT in the same transaction as the release."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.notices.categories import resolve_categories
from kernel.cleaning import one_line, without_controls
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.queries import mail as mail_q
from storage.queries import notices as q
from storage.queries.registry import notice_targets as notice_targets_q

TITLE_LIMIT = 200
BODY_LIMIT = 20_000
ATTACHMENT_LIMIT = 50 * 1024 * 1024  # the Bot API's upload limit for documents
SCHEDULE_AHEAD = timedelta(days=366)
"""How far ahead a notice may be scheduled: a year (a leap year's day included)."""


@dataclass(frozen=True)
class Draft:
    """A notice as written, checked, before it is stored."""

    title: str
    body: str
    category_ids: list[int]
    category_codes: list[str]


def clean_title(raw: str) -> str:
    """The title on one line (see `one_line`); UserError if empty or longer than TITLE_LIMIT."""
    title = one_line(raw)
    if not title:
        raise UserError("notices.empty_title")
    if len(title) > TITLE_LIMIT:
        raise UserError("notices.title_too_long", limit=TITLE_LIMIT)
    return title


def check_draft(
    session: Session, *, title: str, body: str, codes: list[str], targeted: bool = False
) -> Draft:
    """Refuse an empty or too long title or body and unknown or retired categories (no
    category at all only for a notice `targeted` at firms by 統一編號)."""
    title = clean_title(title)
    body = without_controls(body).strip()
    if not body:
        raise UserError("notices.empty_body")
    if len(body) > BODY_LIMIT:
        raise UserError("notices.body_too_long", limit=BODY_LIMIT, length=len(body))
    categories = resolve_categories(session=session, codes=codes) if codes or not targeted else []
    return Draft(
        title=title,
        body=body,
        category_ids=[c.id for c in categories if c.id is not None],
        category_codes=[c.code for c in categories],
    )


def check_attachment_size(size: int | None) -> None:
    """UserError if a document is over the Bot API's 50 MB upload limit."""
    if size is not None and size > ATTACHMENT_LIMIT:
        raise UserError(
            "notices.attachment_too_big", size_mb=f"{size / 1024 / 1024:.1f}", limit_mb=50
        )


def check_schedule(at: datetime, *, now: datetime) -> None:
    """UserError unless `at` has a time zone and is from now to a year ahead."""
    if at.tzinfo is None:
        raise UserError("notices.at_naive")
    try:
        ahead = at - now
    except OverflowError:  # e.g. 0001-01-01 in a zone east of UTC
        key = "notices.at_past" if at.year < now.year else "notices.at_too_far"
        raise UserError(key) from None
    if ahead < -timedelta(minutes=1):
        raise UserError("notices.at_past")
    if ahead > SCHEDULE_AHEAD:
        raise UserError("notices.at_too_far")


@dataclass(frozen=True)
class Published:
    notice_id: int
    released: bool
    recipients: int
    scheduled_at: datetime


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    codes: list[str],
    created_by_id: int | None,
    at: datetime | None = None,
    attachment_name: str | None = None,
    attachment_file_id: str | None = None,
    attachment_content: bytes | None = None,
    attachment_size: int | None = None,
    now: datetime | None = None,
    tax_ids: Sequence[str] = (),
    archive: bool = True,
) -> Published:
    """Store a notice and release it now, or keep it for the delivery worker to release at `at`.

    With `tax_ids` it also goes to the chats holding those 統一編號 (each chat once). It is in
    the public archive once released if it goes to categories, to no list of 統一編號, and
    `archive` is left on."""
    now = now or utcnow()
    draft = check_draft(
        session=session, title=title, body=body, codes=codes, targeted=bool(tax_ids)
    )
    if attachment_content is not None:
        attachment_size = len(attachment_content)
    check_attachment_size(attachment_size)
    if at is not None:
        check_schedule(at, now=now)
    if tax_ids and (at is None or at <= now):
        reached = notice_targets_q.count_union_recipients(
            session=session, category_ids=draft.category_ids, tax_ids=tax_ids
        )
        if not reached:  # "sent, 0 recipients" would claim a delivery that never happens
            raise UserError("targeting.nobody", count=len(tax_ids))
    notice = q.create_notice(
        session=session,
        title=draft.title,
        body=draft.body,
        category_ids=draft.category_ids,
        created_by_id=created_by_id,
        scheduled_at=at,
        attachment_name=attachment_name,
        attachment_file_id=attachment_file_id,
        attachment_content=attachment_content,
        now=now,
        public=archive and bool(draft.category_ids) and not tax_ids,
    )
    assert notice.id is not None and notice.scheduled_at is not None
    if tax_ids:
        notice_targets_q.add_notice_tax_ids(session=session, notice_id=notice.id, tax_ids=tax_ids)
    if notice.scheduled_at <= now:
        count = q.release_notice(session=session, notice_id=notice.id, now=now) or 0
        mail_q.enqueue_notice_emails(session=session, notice_id=notice.id, now=now)
        return Published(notice.id, True, count, notice.scheduled_at)
    recipients = notice_targets_q.count_union_recipients(
        session=session, category_ids=draft.category_ids, tax_ids=tax_ids
    )
    return Published(notice.id, False, recipients, notice.scheduled_at)


def release_due_notices(session: Session, *, now: datetime) -> list[tuple[int, int]]:
    """Release every scheduled notice whose time has come: [(notice id, recipients)]."""
    released = []
    for notice_id in q.fetch_due_notice_ids(session=session, now=now):
        count = q.release_notice(session=session, notice_id=notice_id, now=now)
        if count is not None:
            mail_q.enqueue_notice_emails(session=session, notice_id=notice_id, now=now)
            released.append((notice_id, count))
    return released
