"""A notice as the worker sends it: loaded once, rendered once per language, its attachment's
bytes until Telegram gives it a file id."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.notices.categories import category_name
from bot.notices.rendering import render_notice
from storage.queries import notices as q


@dataclass
class Prepared:
    """A notice rendered per language, with its attachment."""

    notice_id: int
    title: str
    body: str
    category_names: dict[str, list[str]]
    attachment_name: str | None
    attachment_file_id: str | None
    attachment_content: bytes | None
    rendered: dict[str, list[str]] = field(default_factory=dict)
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def parts(self, language: str) -> list[str]:
        if language not in self.rendered:
            self.rendered[language] = render_notice(
                language=language,
                title=self.title,
                body=self.body,
                category_names=self.category_names[language],
                attachment_name=self.attachment_name,
            )
        return self.rendered[language]


def load_notice(*, session: Session, notice_id: int) -> Prepared | None:
    notice = q.fetch_notice(session=session, notice_id=notice_id)
    if notice is None:
        return None
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
