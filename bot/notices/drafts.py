"""The staff /notice draft: its state between steps, the category pick, the preview in each
recipient's language, and publishing it with its audit row in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.notices.categories import category_name
from bot.notices.publishing import Published, publish
from bot.notices.rendering import render_notice
from bot.notices.subscriptions import CategoryChoice
from bot.notices.targeting import reach
from storage.models.mail import EmailFrequency
from storage.queries import mail as mail_q
from storage.queries import notices as q
from storage.queries.audit import record_audit
from storage.queries.registry import notice_targets as notice_targets_q

TIME_ERRORS = frozenset({"notices.at_past", "notices.at_naive", "notices.at_too_far"})
"""Refusals that another time can cure; any other ends the draft (asking again cannot help)."""


@dataclass
class NoticeDraft:
    """A notice being written in chat; kept in user data between steps (JSON)."""

    category_ids: list[int] = field(default_factory=list)
    title: str = ""
    body: str = ""
    attachment_file_id: str | None = None
    attachment_name: str | None = None
    tax_ids: list[str] = field(default_factory=list)
    """統一編號 from an uploaded list: their firms' chats get the notice too."""
    archive: bool = True
    """Whether the notice goes on the public pages (only one to categories alone can)."""

    @property
    def archivable(self) -> bool:
        """Whether the archive choice applies: a notice to categories and no list."""
        return bool(self.category_ids) and not self.tax_ids

    def toggle(self, category_id: int) -> None:
        """Choose the category, or unchoose it if it was chosen."""
        if category_id in self.category_ids:
            self.category_ids.remove(category_id)
        else:
            self.category_ids.append(category_id)

    def attach(self, file_id: str, name: str | None) -> None:
        self.attachment_file_id = file_id
        self.attachment_name = name or "attachment"

    def detach(self) -> None:
        self.attachment_file_id = None
        self.attachment_name = None

    def to_dict(self) -> dict[str, object]:
        return {
            "category_ids": list(self.category_ids),
            "title": self.title,
            "body": self.body,
            "attachment_file_id": self.attachment_file_id,
            "attachment_name": self.attachment_name,
            "tax_ids": list(self.tax_ids),
            "archive": self.archive,
        }

    @classmethod
    def from_dict(cls, data: object) -> NoticeDraft:
        """Tolerant of what older versions stored: keys may be missing (a title only once it
        was asked for), and an old `last_error` key is ignored."""
        found = data if isinstance(data, dict) else {}
        ids = found.get("category_ids")
        numbers = found.get("tax_ids")

        def text(key: str) -> str | None:
            value = found.get(key)
            return value if isinstance(value, str) else None

        return cls(
            category_ids=(
                [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
                if isinstance(ids, list)
                else []
            ),
            title=text("title") or "",
            body=text("body") or "",
            attachment_file_id=text("attachment_file_id"),
            attachment_name=text("attachment_name"),
            tax_ids=(
                [n for n in numbers if isinstance(n, str)] if isinstance(numbers, list) else []
            ),
            archive=found.get("archive") is not False,
        )


@dataclass(frozen=True)
class CategoryPick:
    """The pick step: the active categories, those of the draft still active, its recipients."""

    categories: list[CategoryChoice]
    chosen: list[int]
    recipients: int


def pick_categories(session: Session, *, chosen: list[int], language: str) -> CategoryPick:
    """The active categories, `chosen` without any retired meanwhile, and who would get it."""
    categories = q.fetch_categories(session=session)
    active = {c.id for c in categories}
    kept = [c for c in chosen if c in active]
    return CategoryPick(
        categories=[
            CategoryChoice(c.id or 0, c.code, category_name(c, language), False)
            for c in categories
        ],
        chosen=kept,
        recipients=q.count_recipients(session=session, category_ids=kept),
    )


@dataclass(frozen=True)
class PreviewCopy:
    """The notice exactly as the readers of one language will get it."""

    language: str
    recipients: int
    messages: list[str]


@dataclass(frozen=True)
class DraftPreview:
    """A copy per language, the staff member's own first; and the recipients in all."""

    copies: list[PreviewCopy]
    recipients: int
    unreached: int = 0
    """Listed 統一編號 no chat holds (a draft with a list only)."""
    email_now: int = 0
    email_digest: int = 0
    """Confirmed e-mail addresses following its categories: sent it at once, or in a digest."""


def preview_draft(
    session: Session, *, draft: NoticeDraft, language: str, default_language: str
) -> DraftPreview:
    """The draft rendered in `language`, then in each other language some recipients read
    (their saved language, else `default_language`); UserError if it cannot be rendered."""
    categories = [c for c in q.fetch_categories(session=session) if c.id in draft.category_ids]
    by_language = notice_targets_q.count_union_by_language(
        session=session,
        category_ids=draft.category_ids,
        tax_ids=draft.tax_ids,
        default_language=default_language,
    )
    languages = [language] + [other for other in sorted(by_language) if other != language]
    copies = [
        PreviewCopy(
            language=each,
            recipients=by_language.get(each, 0),
            messages=render_notice(
                language=each,
                title=draft.title,
                body=draft.body,
                category_names=[category_name(c, each) for c in categories],
                attachment_name=draft.attachment_name,
            ),
        )
        for each in languages
    ]
    unreached = (
        len(reach(session=session, tax_ids=draft.tax_ids).unreached) if draft.tax_ids else 0
    )
    email = mail_q.count_email_followers(session=session, category_ids=draft.category_ids)
    return DraftPreview(
        copies,
        sum(by_language.values()),
        unreached,
        email_now=email[EmailFrequency.IMMEDIATELY.value],
        email_digest=email[EmailFrequency.DAILY.value] + email[EmailFrequency.WEEKLY.value],
    )


def publish_draft(
    session: Session,
    *,
    draft: NoticeDraft,
    created_by_id: int | None,
    actor_telegram_id: int | None,
    at: datetime | None = None,
) -> Published:
    """Publish the draft (now, or at `at`) and write its `notice.publish` audit row; UserError
    (nothing stored) if it may not be published, naming a category retired since it was picked."""
    everything = q.fetch_categories(session=session, include_retired=True)
    codes = [c.code for c in everything if c.id in draft.category_ids]
    published = publish(
        session=session,
        title=draft.title,
        body=draft.body,
        codes=codes,
        created_by_id=created_by_id,
        at=at,
        attachment_name=draft.attachment_name,
        attachment_file_id=draft.attachment_file_id,
        tax_ids=draft.tax_ids,
        archive=draft.archive,
    )
    listed = f" tax_ids={len(draft.tax_ids)}" if draft.tax_ids else ""
    listed += "" if draft.archive or not draft.archivable else " no-archive"
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="notice.publish",
        target=str(published.notice_id),
        detail=f"{','.join(codes)}{listed} recipients={published.recipients}",
    )
    return published
