"""The public archive: which notices anyone may read, newest first, and their files.

A notice is public when it is a staff notice (`kind` notice) marked `public`, released (a
scheduled one only once its time came, a cancelled one never), sent to at least one category
and to no list of 統一編號. Every function here applies all of it, whatever the flag says, so a
targeted notice, a reminder, a survey invitation or case news can never be shown."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, exists, func
from sqlmodel import Session, col, select

from storage.models import Category, Notice, NoticeAttachment, NoticeCategory
from storage.models.notices import NoticeKind, NoticeState
from storage.models.registry import NoticeTaxId


def _is_public() -> ColumnElement[bool]:
    return and_(
        col(Notice.kind) == NoticeKind.NOTICE.value,
        col(Notice.public).is_(True),
        col(Notice.state) == NoticeState.RELEASED.value,
        col(Notice.released_at).is_not(None),
        exists().where(col(NoticeCategory.notice_id) == Notice.id),
        ~exists().where(col(NoticeTaxId.notice_id) == Notice.id),
    )


def _in_category(code: str) -> ColumnElement[bool]:
    return exists().where(
        col(NoticeCategory.notice_id) == Notice.id,
        col(NoticeCategory.category_id) == Category.id,
        col(Category.code) == code,
    )


def count_public_notices(session: Session, *, category_code: str | None = None) -> int:
    """How many public notices there are (of the category `category_code`)."""
    query = select(func.count()).select_from(Notice).where(_is_public())
    if category_code is not None:
        query = query.where(_in_category(category_code))
    return int(session.exec(query).one())


def fetch_public_notices(
    session: Session, *, category_code: str | None = None, offset: int = 0, limit: int = 20
) -> list[Notice]:
    """Public notices (of the category `category_code`), newest release first."""
    query = select(Notice).where(_is_public())
    if category_code is not None:
        query = query.where(_in_category(category_code))
    query = query.order_by(col(Notice.released_at).desc(), col(Notice.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)).all())


def fetch_public_notice(session: Session, *, notice_id: int) -> Notice | None:
    """The notice `notice_id` if it is public; None for one that is not or does not exist."""
    return session.exec(select(Notice).where(col(Notice.id) == notice_id, _is_public())).first()


def fetch_categories_of_notices(
    session: Session, *, notice_ids: Sequence[int]
) -> dict[int, list[Category]]:
    """Notice id → its categories in their listing order (every id present)."""
    found: dict[int, list[Category]] = {n: [] for n in notice_ids}
    if not notice_ids:
        return found
    rows = session.exec(
        select(NoticeCategory.notice_id, Category)
        .join(Category, col(Category.id) == NoticeCategory.category_id)
        .where(col(NoticeCategory.notice_id).in_(notice_ids))
        .order_by(col(Category.sort_order), col(Category.id))
    ).all()
    for notice_id, category in rows:
        found[notice_id].append(category)
    return found


def fetch_archive_categories(session: Session) -> list[Category]:
    """Categories that have at least one public notice, in their listing order."""
    return list(
        session.exec(
            select(Category)
            .where(
                exists().where(
                    col(NoticeCategory.category_id) == Category.id,
                    col(NoticeCategory.notice_id).in_(select(Notice.id).where(_is_public())),
                )
            )
            .order_by(col(Category.sort_order), col(Category.id))
        ).all()
    )


def fetch_public_file_sizes(session: Session, *, notice_ids: list[int]) -> dict[int, int]:
    """The sizes of the kept attachments of those public notices, in one query; a notice
    whose attachment only Telegram has (or that has none) is absent."""
    if not notice_ids:
        return {}
    rows = session.exec(
        select(NoticeAttachment.notice_id, func.length(NoticeAttachment.content)).where(
            col(NoticeAttachment.notice_id).in_(notice_ids),
            col(NoticeAttachment.notice_id).in_(select(Notice.id).where(_is_public())),
        )
    ).all()
    return {int(notice_id): int(size) for notice_id, size in rows}


def fetch_public_file(session: Session, *, notice_id: int) -> bytes | None:
    """The bytes of the public notice's attachment, if the archive keeps them."""
    return session.exec(
        select(NoticeAttachment.content).where(
            col(NoticeAttachment.notice_id) == notice_id,
            col(NoticeAttachment.notice_id).in_(select(Notice.id).where(_is_public())),
        )
    ).first()
