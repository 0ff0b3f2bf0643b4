"""An outbox message as the worker sends it: loaded once, rendered once per language; for a
notice staff wrote, its attachment's bytes until Telegram gives it a file id; for any other kind,
what the feature's composer (`composers.py`) made of it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.delivery.composers import COMPOSERS, Composed, stored_text
from bot.notices.categories import category_name
from bot.notices.rendering import render_notice
from bot.settings import Settings
from kernel.outgoing import Part
from storage.models.notices import TEXT_KINDS, NoticeKind
from storage.queries import notices as q

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    """A message rendered per language: a notice with its attachment, or a composed one."""

    notice_id: int
    title: str
    kind: str = NoticeKind.NOTICE.value
    body: str = ""
    category_names: dict[str, list[str]] = field(default_factory=dict)
    attachment_name: str | None = None
    attachment_file_id: str | None = None
    attachment_content: bytes | None = None
    composed: Composed | None = None
    rendered: dict[str, list[Part]] = field(default_factory=dict)
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def parts(self, language: str) -> list[Part]:
        if language not in self.rendered:
            if self.composed is not None:
                self.rendered[language] = self.composed.parts(language)
            else:
                texts = render_notice(
                    language=language,
                    title=self.title,
                    body=self.body,
                    category_names=self.category_names.get(language, []),
                    attachment_name=self.attachment_name,
                )
                self.rendered[language] = [Part(text) for text in texts]
        return self.rendered[language]


def load_notice(session: Session, *, notice_id: int, settings: Settings) -> Prepared | None:
    """The outbox message of `notice_id`, or None when there is nothing to send any more."""
    notice = q.fetch_notice(session=session, notice_id=notice_id)
    if notice is None:
        return None
    if notice.kind != NoticeKind.NOTICE.value:
        composer = COMPOSERS.get(notice.kind)
        if notice.ref_id is None or (composer is None and notice.kind not in TEXT_KINDS):
            logger.error("notice %s: nothing composes kind %r", notice_id, notice.kind)
            return None
        composed: Composed | None
        if composer is None:
            composed = stored_text(session, notice.ref_id, settings)
        else:
            composed = composer(session, notice.ref_id)
        if composed is None:
            return None
        return Prepared(
            notice_id=notice_id, title=notice.title, kind=notice.kind, composed=composed
        )
    categories = q.fetch_notice_categories(session=session, notice_id=notice_id)
    content = None
    if notice.attachment_name and not notice.attachment_file_id:
        content = q.fetch_attachment_content(session=session, notice_id=notice_id)
    return Prepared(
        notice_id=notice_id,
        title=notice.title,
        body=notice.body,
        category_names={
            lang: [category_name(c, lang) for c in categories] for lang in ("zh-TW", "en")
        },
        attachment_name=notice.attachment_name,
        attachment_file_id=notice.attachment_file_id,
        attachment_content=content,
    )
