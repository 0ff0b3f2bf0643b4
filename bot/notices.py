"""Notice-network rules: categories, subscriptions, 統一編號, rendering, publishing and release.

Plain functions on a session and plain values; handlers and the CLI call them. Publishing writes
the notice and, when it is due now, releases it: the outbox rows are written by one INSERT …
SELECT in the same transaction (`storage.queries.notices.release_notice`).
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlmodel import Session

from kernel import templating
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models import Category, Person
from storage.models.notices import DeliveryStatus
from storage.queries import notices as q

MESSAGE_LIMIT = 4096
BODY_LIMIT = 20_000
TITLE_LIMIT = 200
ATTACHMENT_LIMIT = 50 * 1024 * 1024  # the Bot API's upload limit for documents
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,31}$")


# --- 統一編號 ---------------------------------------------------------------------------------

TAX_ID_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def tax_id_is_valid(tax_id: str) -> bool:
    """The Ministry of Finance check rule as revised on 2023-04-01.

    Each digit times its weight (1,2,1,2,1,2,4,1); the digits of each product are added; the
    total must be divisible by 5. When the seventh digit is 7 (its product 28 gives 10, which
    may be read as 1 or 0) the total or the total + 1 may be divisible.
    """
    if len(tax_id) != 8 or not tax_id.isascii() or not tax_id.isdigit():
        return False
    total = 0
    for digit, weight in zip(tax_id, TAX_ID_WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    if total % 5 == 0:
        return True
    return tax_id[6] == "7" and (total + 1) % 5 == 0


def clean_tax_id(raw: str) -> str:
    """An 8-digit 統一編號, or UserError saying why not."""
    value = raw.strip().replace(" ", "").replace("-", "")
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise UserError("notices.tax_id_shape")
    if not tax_id_is_valid(value):
        raise UserError("notices.tax_id_check")
    return value


def clean_company_name(raw: str) -> str:
    value = " ".join(raw.split())
    if not value:
        raise UserError("notices.company_empty")
    if len(value) > 200:
        raise UserError("notices.company_too_long", limit=200)
    return value


# --- categories -------------------------------------------------------------------------------


def category_name(category: Category, language: str) -> str:
    return category.name_in(language)


def parse_category_codes(payload: str) -> list[str]:
    """`cns_rpc` (a deep-link argument) → ["cns", "rpc"]."""
    return [c for c in (p.strip().lower() for p in payload.split("_")) if c]


def resolve_categories(*, session: Session, codes: list[str]) -> list[Category]:
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


def create_category(*, session: Session, code: str, name_zh: str, name_en: str) -> Category:
    """A new category; the code is short lower-case letters and digits (it goes in links)."""
    code = code.strip().lower()
    if not CODE_PATTERN.match(code):
        raise UserError("notices.bad_code", code=code)
    if q.fetch_category_by_code(session=session, code=code) is not None:
        raise UserError("notices.code_taken", code=code)
    name_zh, name_en = name_zh.strip(), name_en.strip()
    if not name_zh or not name_en:
        raise UserError("notices.names_needed")
    return q.add_category(session=session, code=code, name_zh=name_zh, name_en=name_en)


def rename_category(
    *, session: Session, code: str, name_zh: str | None, name_en: str | None
) -> Category:
    category = q.fetch_category_by_code(session=session, code=code)
    if category is None:
        raise UserError("notices.unknown_category_any", code=code)
    if (name_zh is not None and not name_zh.strip()) or (
        name_en is not None and not name_en.strip()
    ):
        raise UserError("notices.names_needed")
    if name_zh is None and name_en is None:
        raise UserError("notices.names_needed")
    assert category.id is not None
    q.rename_category(
        session=session,
        category_id=category.id,
        name_zh=name_zh.strip() if name_zh else None,
        name_en=name_en.strip() if name_en else None,
    )
    session.refresh(category)
    return category


def retire_category(*, session: Session, code: str, now: datetime | None = None) -> Category:
    category = q.fetch_category_by_code(session=session, code=code)
    if category is None:
        raise UserError("notices.unknown_category_any", code=code)
    if category.retired_at is not None:
        raise UserError("notices.already_retired", code=category.code)
    assert category.id is not None
    q.retire_category(session=session, category_id=category.id, now=now or utcnow())
    session.refresh(category)
    return category


# --- subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryChoice:
    """A category as a firm sees it on the /subscribe keyboard."""

    id: int
    code: str
    name: str
    subscribed: bool


def subscription_choices(
    *, session: Session, person_id: int, language: str
) -> list[CategoryChoice]:
    """Active categories plus retired ones the person still holds, each with a ✅ flag."""
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    return [
        CategoryChoice(c.id or 0, c.code, category_name(c, language), (c.id in mine))
        for c in q.fetch_categories(session=session, include_retired=True)
        if c.retired_at is None or c.id in mine
    ]


def toggle_subscription(*, session: Session, person_id: int, category_id: int) -> bool | None:
    """Flip one subscription; True now subscribed, False now not, None if it cannot be (a
    retired or unknown category the person does not hold)."""
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    if category_id in mine:
        q.remove_subscription(session=session, person_id=person_id, category_id=category_id)
        return False
    category = session.get(Category, category_id)
    if category is None or category.retired_at is not None:
        return None
    q.add_subscriptions(session=session, person_id=person_id, category_ids=[category_id])
    return True


@dataclass(frozen=True)
class DeepLinkResult:
    added: list[str]
    already: list[str]
    unknown: list[str]


def subscribe_by_codes(
    *, session: Session, person_id: int, codes: list[str], language: str
) -> DeepLinkResult:
    """What a `/start sub-cns_rpc` link does: subscribe to each known active code."""
    by_code = {c.code: c for c in q.fetch_categories(session=session)}
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    added: list[str] = []
    already: list[str] = []
    unknown: list[str] = []
    new_ids: list[int] = []
    for code in dict.fromkeys(codes):
        category = by_code.get(code)
        if category is None or category.id is None:
            unknown.append(code)
        elif category.id in mine:
            already.append(category_name(category, language))
        else:
            new_ids.append(category.id)
            added.append(category_name(category, language))
    q.add_subscriptions(session=session, person_id=person_id, category_ids=new_ids)
    return DeepLinkResult(added, already, unknown)


def subscribed_names(*, session: Session, person_id: int, language: str) -> list[str]:
    return [
        c.name
        for c in subscription_choices(session=session, person_id=person_id, language=language)
        if c.subscribed
    ]


def forget(*, session: Session, person_id: int) -> None:
    """Close the person's unsent deliveries, then delete them (subscriptions and profile go with
    the person row; deliveries already sent keep their chat id as proof of delivery)."""
    from storage.queries.people import forget_person

    q.close_open_deliveries_of_person(session=session, person_id=person_id, now=utcnow())
    forget_person(session=session, person_id=person_id)


# --- rendering --------------------------------------------------------------------------------


def render_template(name: str, language: str, **values: object) -> str:
    """A Telegram-HTML message from `kernel/templates/notices/<language>/<name>`."""
    return templating.render(f"notices/{language}/{name}", **values).strip()


def message_length(text: str) -> int:
    """What a message costs against Telegram's 4096 limit, counted safely: UTF-16 code units
    (an emoji counts two) of the text with its tags and entities, which is never less than the
    text Telegram shows after parsing."""
    return len(text.encode("utf-16-le")) // 2


def _cost(raw: str) -> int:
    return message_length(html.escape(raw, quote=False))


_SENTENCE = re.compile(r"[^\s。！？；]+[。！？；]*\s*|[。！？；]+\s*|\s+")


def _cut(text: str, budget: int) -> list[str]:
    """Raw `text` in pieces each costing at most `budget` once escaped: between lines first,
    then after words or sentences (Chinese has no spaces), then between characters. The text
    is cut before it is escaped, so an entity such as `&amp;` is never split. (Costs add up:
    escaping and UTF-16 both work character by character.)"""
    units: list[tuple[str, int]] = []
    for line in text.splitlines(keepends=True):
        if (line_cost := _cost(line)) <= budget:
            units.append((line, line_cost))
            continue
        for word in _SENTENCE.findall(line):
            if (word_cost := _cost(word)) <= budget:
                units.append((word, word_cost))
                continue
            chunk, chunk_cost = "", 0
            for char in word:  # one huge word: cut between characters
                char_cost = _cost(char)
                if chunk and chunk_cost + char_cost > budget:
                    units.append((chunk, chunk_cost))
                    chunk, chunk_cost = "", 0
                chunk += char
                chunk_cost += char_cost
            units.append((chunk, chunk_cost))
    pieces: list[str] = []
    current: list[str] = []
    current_cost = 0
    for unit, unit_cost in units:
        if current and current_cost + unit_cost > budget:
            pieces.append("".join(current))
            current, current_cost = [], 0
        current.append(unit)
        current_cost += unit_cost
    pieces.append("".join(current))
    return [p for p in (piece.rstrip() for piece in pieces) if p]


def split_body(body: str, budget: int) -> list[str]:
    """The escaped body in parts each costing at most `budget` (see `message_length`), split
    between paragraphs (blank lines) where possible; each part is safe Telegram HTML alone."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if p.strip()]
    parts: list[str] = []
    current, current_cost = "", 0
    for paragraph in paragraphs:
        for piece in _cut(paragraph.strip("\n"), budget):
            piece_cost = _cost(piece)
            if current and current_cost + 2 + piece_cost <= budget:
                current, current_cost = f"{current}\n\n{piece}", current_cost + 2 + piece_cost
            else:
                if current:
                    parts.append(current)
                current, current_cost = piece, piece_cost
    if current:
        parts.append(current)
    return [html.escape(part, quote=False) for part in parts] or [""]


def render_notice(
    *,
    language: str,
    title: str,
    body: str,
    category_names: list[str],
    attachment_name: str | None = None,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """The messages a subscriber gets for a notice, in order (one, or several for a long body),
    each within Telegram's limit whatever the title, categories and attachment name."""
    values = {
        "title": title,
        "categories": category_names,
        "attachment_name": attachment_name,
    }
    overhead = max(
        message_length(
            render_template("notice.html.j2", language, body="", part=part, parts=n, **values)
        )
        for part, n in ((1, 1), (1, 999), (500, 999), (999, 999))
    )
    budget = limit - overhead - 8
    while True:
        if budget < 200:
            raise UserError("notices.title_too_long", limit=TITLE_LIMIT)
        parts = split_body(body, budget)
        rendered = [
            render_template(
                "notice.html.j2", language, body=Markup(part), part=i, parts=len(parts), **values
            )
            for i, part in enumerate(parts, start=1)
        ]
        longest = max(message_length(message) for message in rendered)
        if longest <= limit:
            return rendered
        budget -= longest - limit  # not expected; make sure rather than trust the estimate


# --- publishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A notice as written, checked, before it is stored."""

    title: str
    body: str
    category_ids: list[int]
    category_codes: list[str]


def check_draft(*, session: Session, title: str, body: str, codes: list[str]) -> Draft:
    """Refuse an empty or too long title or body and unknown or retired categories."""
    title = " ".join(title.split())
    body = body.replace("\r\n", "\n").strip()
    if not title:
        raise UserError("notices.empty_title")
    if len(title) > TITLE_LIMIT:
        raise UserError("notices.title_too_long", limit=TITLE_LIMIT)
    if not body:
        raise UserError("notices.empty_body")
    if len(body) > BODY_LIMIT:
        raise UserError("notices.body_too_long", limit=BODY_LIMIT, length=len(body))
    categories = resolve_categories(session=session, codes=codes)
    return Draft(
        title=title,
        body=body,
        category_ids=[c.id for c in categories if c.id is not None],
        category_codes=[c.code for c in categories],
    )


def check_attachment_size(size: int | None) -> None:
    if size is not None and size > ATTACHMENT_LIMIT:
        raise UserError(
            "notices.attachment_too_big", size_mb=f"{size / 1024 / 1024:.1f}", limit_mb=50
        )


@dataclass(frozen=True)
class Published:
    notice_id: int
    released: bool
    recipients: int
    scheduled_at: datetime


def publish(
    *,
    session: Session,
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
) -> Published:
    """Store a notice and release it now, or keep it for the delivery worker to release at `at`."""
    now = now or utcnow()
    draft = check_draft(session=session, title=title, body=body, codes=codes)
    if attachment_content is not None:
        attachment_size = len(attachment_content)
    check_attachment_size(attachment_size)
    if at is not None:
        if at.tzinfo is None:
            raise UserError("notices.at_naive")
        if at < now - timedelta(minutes=1):
            raise UserError("notices.at_past")
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
    )
    assert notice.id is not None and notice.scheduled_at is not None
    if notice.scheduled_at <= now:
        count = q.release_notice(session=session, notice_id=notice.id, now=now) or 0
        return Published(notice.id, True, count, notice.scheduled_at)
    recipients = q.count_recipients(session=session, category_ids=draft.category_ids)
    return Published(notice.id, False, recipients, notice.scheduled_at)


def release_due_notices(*, session: Session, now: datetime) -> list[tuple[int, int]]:
    """Release every scheduled notice whose time has come: [(notice id, recipients)]."""
    released = []
    for notice_id in q.fetch_due_notice_ids(session=session, now=now):
        count = q.release_notice(session=session, notice_id=notice_id, now=now)
        if count is not None:
            released.append((notice_id, count))
    return released


@dataclass(frozen=True)
class NoticeStatus:
    notice_id: int
    title: str
    state: str
    scheduled_at: datetime | None
    released_at: datetime | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.total - self.counts["pending"] - self.counts["retrying"]

    def as_json(self) -> dict[str, int]:
        return {"notice_id": self.notice_id, "total": self.total, **self.counts}


def notice_status(*, session: Session, notice_id: int) -> NoticeStatus:
    notice = q.fetch_notice(session=session, notice_id=notice_id)
    if notice is None:
        raise UserError("notices.unknown_notice", notice_id=notice_id)
    counts = q.fetch_delivery_counts(session=session, notice_ids=[notice_id])[notice_id]
    return NoticeStatus(
        notice_id, notice.title, notice.state, notice.scheduled_at, notice.released_at, counts
    )


def recent_statuses(*, session: Session, limit: int = 10) -> list[NoticeStatus]:
    notices = q.fetch_recent_notices(session=session, limit=limit)
    ids = [n.id for n in notices if n.id is not None]
    counts = q.fetch_delivery_counts(session=session, notice_ids=ids)
    return [
        NoticeStatus(n.id, n.title, n.state, n.scheduled_at, n.released_at, counts[n.id])
        for n in notices
        if n.id is not None
    ]


# --- demo data --------------------------------------------------------------------------------

_DEMO_FIRMS = (
    "新竹精密電子",
    "竹科光電",
    "風城玩具",
    "東門燈飾",
    "湖口電線電纜",
    "竹北家電",
    "寶山機械",
    "香山度量衡",
    "峨眉食品機械",
    "關西紡織",
    "新豐插頭",
    "竹東安全帽",
    "北埔陶瓷",
    "芎林電池",
)
_DEMO_NOTICES = (
    (
        "cns",
        "正字標記證書展延作業提醒",
        "各位業者好：\n\n正字標記證書將於年底到期者，請於到期前三個月提出展延申請。",
    ),
    (
        "rpc",
        "驗證登錄新版申請書格式",
        "自下月起，驗證登錄申請請使用新版申請書。\n\n舊版格式將不再受理。",
    ),
    (
        "regulated",
        "應施檢驗商品範圍修正公告",
        "本局公告修正應施檢驗商品範圍，新增行動電源等品項。",
    ),
    (
        "market",
        "市售電暖器抽測結果",
        "本分局抽測市售電暖器，不合格者已通知限期改正並下架。",
    ),
    (
        "events",
        "電器商品檢驗說明會報名",
        "本分局將於下月舉辦說明會，歡迎業者報名參加。",
    ),
    (
        "metrology",
        "計程車計費表檢定排程",
        "新竹地區計程車計費表年度檢定排程已公布，請依時段前往。",
    ),
)


def seed_demo(*, session: Session, rng: random.Random, year: int) -> None:
    """A year of the notice network: about 120 subscribing firms and a notice a month or so,
    delivered (a few blocked or failed). Needs the seeded categories (migration 0001)."""
    from datetime import UTC

    categories = q.fetch_categories(session=session)
    by_code = {c.code: c for c in categories}
    people: list[Person] = []
    for i in range(120):
        name = f"{rng.choice(_DEMO_FIRMS)}{'股份有限公司' if i % 3 else '有限公司'}"
        person = Person(
            telegram_id=700_000_000 + i,
            first_name=f"業者{i + 1}",
            language="en" if i % 10 == 0 else "zh-TW",
            company_name=name if i % 2 == 0 else None,
            created_at=datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(300)),
        )
        session.add(person)
        people.append(person)
    session.flush()
    for person in people:
        assert person.id is not None
        chosen = rng.sample(categories, k=rng.randint(1, 4))
        q.add_subscriptions(
            session=session, person_id=person.id, category_ids=[c.id for c in chosen if c.id]
        )
    for month in range(1, 13):
        code, title, body = _DEMO_NOTICES[(month - 1) % len(_DEMO_NOTICES)]
        when = datetime(year, month, rng.randint(2, 25), 1 + rng.randrange(8), tzinfo=UTC)
        notice = q.create_notice(
            session=session,
            title=title,
            body=body,
            category_ids=[by_code[code].id or 0],
            created_by_id=None,
            scheduled_at=when,
            now=when,
        )
        assert notice.id is not None
        q.release_notice(session=session, notice_id=notice.id, now=when)
        results = []
        for delivery_id in q.fetch_delivery_ids(session=session, notice_id=notice.id):
            roll = rng.random()
            sent = when + timedelta(seconds=rng.randint(1, 600))
            if roll > 0.04:
                status, error, sent_at = DeliveryStatus.SENT, None, sent
            elif roll > 0.01:
                status, error, sent_at = DeliveryStatus.BLOCKED, "Forbidden: bot was blocked", None
            else:
                status, error, sent_at = DeliveryStatus.FAILED, "Bad Request: chat not found", None
            results.append(
                q.DeliveryResult(
                    id=delivery_id,
                    status=status,
                    attempts=1,
                    next_attempt_at=sent,
                    last_error=error,
                    sent_at=sent_at,
                )
            )
        q.record_delivery_results(session=session, results=results)
