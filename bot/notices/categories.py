"""Subscription categories: codes (they go in links), names in both languages, adding, renaming,
retiring (no new subscriptions or notices, history kept), and the admins' overview with its
three changes from chat (add, rename, retire), each with its audit row."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from kernel.cleaning import one_line
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models import Category
from storage.queries import notices as q
from storage.queries.audit import record_audit

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,31}$")


def category_name(category: Category, language: str) -> str:
    return category.name_in(language)


def parse_category_codes(payload: str) -> list[str]:
    """`cns_rpc` (a deep-link argument) → ["cns", "rpc"]."""
    return [c for c in (p.strip().lower() for p in payload.split("_")) if c]


def resolve_categories(session: Session, *, codes: list[str]) -> list[Category]:
    """The active categories with these codes; UserError naming the first unknown one."""
    if not codes:
        raise UserError("notices.no_category")
    found = {c.code: c for c in q.fetch_categories(session=session, include_retired=True)}
    chosen: list[Category] = []
    for code in dict.fromkeys(c.strip().lower() for c in codes):
        category = found.get(code)
        if category is None:
            active = ", ".join(c.code for c in found.values() if c.retired_at is None)
            raise UserError("notices.unknown_category", code=code, codes=active)
        if category.retired_at is not None:
            raise UserError("notices.retired_category", code=code)
        chosen.append(category)
    return chosen


NAME_ZH_LIMIT = 64
NAME_EN_LIMIT = 128


def _name(raw: str, limit: int) -> str:
    """A category name on one line, cleaned like every other name (`kernel.cleaning.one_line`);
    "" when nothing visible is left, UserError when longer than the column holds."""
    name = one_line(raw)
    if len(name) > limit:
        raise UserError("notices.name_too_long", limit=limit)
    return name


def create_category(session: Session, *, code: str, name_zh: str, name_en: str) -> Category:
    """A new category; the code is short lower-case letters and digits (it goes in links)."""
    code = code.strip().lower()
    if not CODE_PATTERN.match(code):
        raise UserError("notices.bad_code", code=code)
    if q.fetch_category_by_code(session=session, code=code) is not None:
        raise UserError("notices.code_taken", code=code)
    name_zh, name_en = _name(name_zh, NAME_ZH_LIMIT), _name(name_en, NAME_EN_LIMIT)
    if not name_zh or not name_en:
        raise UserError("notices.names_needed")
    return q.add_category(session=session, code=code, name_zh=name_zh, name_en=name_en)


def rename_category(
    session: Session, *, code: str, name_zh: str | None, name_en: str | None
) -> Category:
    """New names for a category; its code stays, so links keep working."""
    category = q.fetch_category_by_code(session=session, code=code)
    if category is None:
        raise UserError("notices.unknown_category_any", code=code)
    if name_zh is not None:
        name_zh = _name(name_zh, NAME_ZH_LIMIT)
    if name_en is not None:
        name_en = _name(name_en, NAME_EN_LIMIT)
    if name_zh == "" or name_en == "" or (name_zh is None and name_en is None):
        raise UserError("notices.names_needed")
    assert category.id is not None
    q.rename_category(session=session, category_id=category.id, name_zh=name_zh, name_en=name_en)
    session.refresh(category)
    return category


def retire_category(session: Session, *, code: str, now: datetime | None = None) -> Category:
    """Retire the category `code`; UserError if unknown or already retired."""
    category = q.fetch_category_by_code(session=session, code=code)
    if category is None:
        raise UserError("notices.unknown_category_any", code=code)
    if category.retired_at is not None:
        raise UserError("notices.already_retired", code=category.code)
    assert category.id is not None
    q.retire_category(session=session, category_id=category.id, now=now or utcnow())
    session.refresh(category)
    return category


@dataclass(frozen=True)
class CategoryRow:
    """A category as the admins' /categories view shows it."""

    id: int
    code: str
    name: str
    other_name: str
    subscribers: int
    retired: bool


@dataclass(frozen=True)
class CategoryOverview:
    """Every category, retired ones too, with its subscribers (who have not blocked the bot)."""

    rows: list[CategoryRow]

    def active(self, category_id: int | None) -> CategoryRow | None:
        """The active category with this id, if there is one."""
        return next((r for r in self.rows if r.id == category_id and not r.retired), None)


def category_overview(session: Session, *, language: str) -> CategoryOverview:
    """Every category in display order with its names in `language` and the other one."""
    counts = q.count_subscribers_by_category(session=session)
    return CategoryOverview(
        [
            CategoryRow(
                id=c.id or 0,
                code=c.code,
                name=category_name(c, language),
                other_name=c.name_en if language == "zh-TW" else c.name_zh,
                subscribers=counts.get(c.id or 0, 0),
                retired=c.retired_at is not None,
            )
            for c in q.fetch_categories(session=session, include_retired=True)
        ]
    )


@dataclass(frozen=True)
class Retirement:
    """What retiring from the admins' view did: the category retired (None if it was no longer
    active, nothing changed) and the overview afterwards."""

    retired: CategoryRow | None
    overview: CategoryOverview


def retire_category_by_admin(
    session: Session,
    *,
    category_id: int | None,
    actor_telegram_id: int | None,
    language: str,
    now: datetime | None = None,
) -> Retirement:
    """Retire an active category and write its `category.retire` audit row, in one go."""
    before = category_overview(session=session, language=language)
    found = before.active(category_id)
    if found is None:
        return Retirement(None, before)
    q.retire_category(session=session, category_id=found.id, now=now or utcnow())
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="category.retire",
        target=found.code,
    )
    return Retirement(found, category_overview(session=session, language=language))


@dataclass(frozen=True)
class Change:
    """What adding or renaming from the admins' view did: the category as it now reads (None
    when refused or no longer there), why it was refused, and the overview afterwards."""

    changed: CategoryRow | None
    error: UserError | None
    overview: CategoryOverview


def _changed(
    session: Session,
    *,
    action: str,
    code: str,
    detail: dict[str, object],
    actor_telegram_id: int | None,
    language: str,
) -> Change:
    """Audit a change done (`action` on `code`, `detail` as JSON) and say what it did."""
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action=action,
        target=code,
        detail=json.dumps(detail, ensure_ascii=False),
    )
    overview = category_overview(session=session, language=language)
    return Change(next(r for r in overview.rows if r.code == code), None, overview)


def _refused(
    session: Session, *, error: UserError, action: str, target: str, actor_telegram_id: int | None
) -> Change:
    """Audit a refused change (`category.add` or `.rename`, not allowed, the reason's key)."""
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action=action,
        target=target[:128],
        allowed=False,
        detail=error.key,
    )
    return Change(None, error, CategoryOverview([]))


def add_category_by_admin(
    session: Session,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    actor_telegram_id: int | None,
    language: str,
) -> Change:
    """`category add` from chat: the same checks (code format, a code not taken, names cleaned
    and both given) and a `category.add` audit row, a refusal's too."""
    try:
        created = create_category(session, code=code, name_zh=name_zh, name_en=name_en)
    except UserError as error:
        return _refused(
            session,
            error=error,
            action="category.add",
            target=one_line(code),
            actor_telegram_id=actor_telegram_id,
        )
    return _changed(
        session,
        action="category.add",
        code=created.code,
        detail={"zh": created.name_zh, "en": created.name_en},
        actor_telegram_id=actor_telegram_id,
        language=language,
    )


def rename_category_by_admin(
    session: Session,
    *,
    category_id: int,
    name_zh: str | None,
    name_en: str | None,
    actor_telegram_id: int | None,
    language: str,
) -> Change:
    """`category rename` from chat for the category with this id (None kept a name): the same
    checks and a `category.rename` audit row with the names before and after; nothing when the
    category is gone."""
    category = session.get(Category, category_id)
    if category is None:
        return Change(None, None, category_overview(session=session, language=language))
    before = {"zh": category.name_zh, "en": category.name_en}
    try:
        renamed = rename_category(session, code=category.code, name_zh=name_zh, name_en=name_en)
    except UserError as error:
        return _refused(
            session,
            error=error,
            action="category.rename",
            target=category.code,
            actor_telegram_id=actor_telegram_id,
        )
    after = {"zh": renamed.name_zh, "en": renamed.name_en}
    return _changed(
        session,
        action="category.rename",
        code=renamed.code,
        detail={"before": before, "after": after},
        actor_telegram_id=actor_telegram_id,
        language=language,
    )
