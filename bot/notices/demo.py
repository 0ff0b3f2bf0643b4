"""A year of the notice network for `bsmi-desk demo`: about 120 subscribing firms and a notice a
month or so, delivered (a few blocked or failed); the certificate register with its expiry
reminders; the monthly notices report."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.notices.expiry import release_due_reminders
from bot.notices.firms import tax_id_is_valid
from bot.notices.registry import import_register
from bot.notices.report import build_report, write_report
from kernel.clock import utcnow
from kernel.reporting import produced_now
from storage.models import Notice, Person
from storage.models.notices import DeliveryStatus, NoticeKind
from storage.queries import notices as q
from storage.queries.outbox.due import fetch_delivery_ids
from storage.queries.outbox.results import DeliveryResult, record_delivery_results

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


def seed_demo(session: Session, *, rng: random.Random, year: int) -> None:
    """A year of the notice network: about 120 subscribing firms and a notice a month or so,
    delivered (a few blocked or failed). Needs the seeded categories (migration 0001)."""
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
            public=True,
        )
        assert notice.id is not None
        q.release_notice(session=session, notice_id=notice.id, now=when)
        results = []
        for delivery_id in fetch_delivery_ids(session=session, notice_id=notice.id):
            roll = rng.random()
            sent = when + timedelta(seconds=rng.randint(1, 600))
            if roll > 0.04:
                status, error, sent_at = DeliveryStatus.SENT, None, sent
            elif roll > 0.01:
                status, error, sent_at = DeliveryStatus.BLOCKED, "Forbidden: bot was blocked", None
            else:
                status, error, sent_at = DeliveryStatus.FAILED, "Bad Request: chat not found", None
            results.append(
                DeliveryResult(
                    id=delivery_id,
                    status=status,
                    attempts=1,
                    next_attempt_at=sent,
                    last_error=error,
                    sent_at=sent_at,
                )
            )
        record_delivery_results(session=session, results=results)


_DEMO_PRODUCTS = ("電風扇", "行動電源", "安全帽", "延長線", "電暖器", "兒童玩具", "計程車計費表")
_DEMO_KINDS = ("rpc", "type", "cns", "metrology")


def _tax_id(rng: random.Random) -> str:
    while True:
        number = f"{rng.randrange(10_000_000, 100_000_000):08d}"
        if tax_id_is_valid(number):
            return number


def seed_registry_demo(session: Session, *, rng: random.Random, today: date, tz: ZoneInfo) -> None:
    """The certificate register for the demo: about 80 certificates, two thirds of firms with
    a chat holding their 統一編號, and the expiry reminders of the last four months released
    and delivered as the job and the worker would have (so the notices report has them)."""
    people = list(session.exec(select(Person).where(col(Person.company_name).is_not(None))))
    linked = [_tax_id(rng) for _ in people]
    for person, tax_id in zip(people, linked, strict=True):
        person.tax_id = tax_id
        session.add(person)
    unlinked = [_tax_id(rng) for _ in range(20)]
    lines = ["tax_id,kind,number,product,expires_on"]
    for i in range(80):
        tax_id = rng.choice(linked) if i % 3 else rng.choice(unlinked)
        expires = today + timedelta(days=rng.randint(-30, 200))
        kind = _DEMO_KINDS[i % len(_DEMO_KINDS)]
        product = rng.choice(_DEMO_PRODUCTS)
        lines.append(f"{tax_id},{kind},{kind.upper()}-{i + 1:05d},{product},{expires.isoformat()}")
    start = today - timedelta(days=120)
    import_register(
        session=session,
        text="\n".join(lines),
        replace=False,
        days=(90, 30, 7),
        tz=tz,
        now=datetime.combine(start, time(9), tzinfo=tz),
    )
    for offset in range(120):
        moment = datetime.combine(start + timedelta(days=offset), time(10), tzinfo=tz)
        release_due_reminders(session=session, now=moment, tz=tz)
    notice_ids = session.exec(
        select(Notice.id).where(Notice.kind == NoticeKind.REMINDER.value)
    ).all()
    results = []
    for notice_id in notice_ids:
        assert notice_id is not None
        for delivery_id in fetch_delivery_ids(session=session, notice_id=notice_id):
            blocked = rng.random() < 0.03
            results.append(
                DeliveryResult(
                    id=delivery_id,
                    status=DeliveryStatus.BLOCKED if blocked else DeliveryStatus.SENT,
                    attempts=1,
                    next_attempt_at=utcnow(),
                    last_error="Forbidden: bot was blocked" if blocked else None,
                    sent_at=None if blocked else utcnow(),
                )
            )
    record_delivery_results(session=session, results=results)


def write_notices_report(
    session: Session, *, out: Path, year: int, month: int, today: date, tz: ZoneInfo, language: str
) -> list[Path]:
    """The demo's monthly notices report (HTML and CSV)."""
    found = build_report(session=session, year=year, month=month, tz=tz, today=today)
    return write_report(found, out, language, produced=produced_now())
