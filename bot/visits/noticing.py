"""A need turned into a notice targeted at the firm that raised it: the notices domain's own
draft, preview and publishing (`bot.notices.drafts`) with the need's 統一編號 as the list, so it
reaches the firm's chats through the outbox like any targeted notice; the need keeps the notice."""

from __future__ import annotations

from sqlmodel import Session

from bot.notices.drafts import DraftPreview, NoticeDraft, preview_draft, publish_draft
from bot.notices.publishing import Published, clean_title
from bot.notices.targeting import reach
from kernel.errors import UserError
from storage.models import FirmNeed
from storage.queries import visits as q
from storage.queries.audit import record_audit


def need_of(session: Session, *, need_id: int, unit_ids: frozenset[int] | None) -> FirmNeed:
    """The need `need_id`, of one of `unit_ids` unless None; UserError otherwise."""
    need = q.fetch_need(session=session, need_id=need_id)
    if need is None or (unit_ids is not None and need.unit_id not in unit_ids):
        raise UserError("visits.no_need", need_id=need_id)
    return need


def need_draft(
    session: Session, *, need_id: int, unit_ids: frozenset[int] | None, title: str, body: str
) -> NoticeDraft:
    """A notice draft to the need's firm alone (no category), with `title` and `body`."""
    need = need_of(session, need_id=need_id, unit_ids=unit_ids)
    return NoticeDraft(title=title, body=body, tax_ids=[need.tax_id], archive=False)


def need_reach(
    session: Session, *, need_id: int, unit_ids: frozenset[int] | None
) -> tuple[FirmNeed, int]:
    """The need and how many chats hold its firm's 統一編號 now."""
    need = need_of(session, need_id=need_id, unit_ids=unit_ids)
    return need, reach(session=session, tax_ids=[need.tax_id]).chats


def preview_for_need(
    session: Session,
    *,
    need_id: int,
    unit_ids: frozenset[int] | None,
    title: str,
    body: str,
    language: str,
    default_language: str,
) -> DraftPreview:
    """The notice to the need's firm as its chats would get it (`preview_draft`); UserError if
    the title or body may not be sent."""
    draft = need_draft(
        session, need_id=need_id, unit_ids=unit_ids, title=clean_title(title), body=body
    )
    return preview_draft(
        session=session, draft=draft, language=language, default_language=default_language
    )


def publish_for_need(
    session: Session,
    *,
    need_id: int,
    unit_ids: frozenset[int] | None,
    title: str,
    body: str,
    created_by_id: int | None,
    actor_telegram_id: int | None,
) -> Published:
    """Publish a notice to the need's firm now (`notice.publish` audit row, as any notice) and
    tie it to the need (`visit.notice`); UserError (nothing stored) if it may not be sent."""
    draft = need_draft(session, need_id=need_id, unit_ids=unit_ids, title=title, body=body)
    published = publish_draft(
        session=session,
        draft=draft,
        created_by_id=created_by_id,
        actor_telegram_id=actor_telegram_id,
    )
    need = need_of(session, need_id=need_id, unit_ids=unit_ids)
    need.notice_id = published.notice_id
    session.add(need)
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="visit.notice",
        target=str(need_id),
        detail=f"notice={published.notice_id} recipients={published.recipients}",
    )
    return published
