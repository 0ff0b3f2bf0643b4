"""A year of the notice network for `bsmi-desk demo`: about 120 subscribing firms and a notice a
month or so, delivered (a few blocked or failed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from storage.models import Person
from storage.models.notices import DeliveryStatus
from storage.queries import notices as q
from storage.queries import outbox

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
        for delivery_id in outbox.fetch_delivery_ids(session=session, notice_id=notice.id):
            roll = rng.random()
            sent = when + timedelta(seconds=rng.randint(1, 600))
            if roll > 0.04:
                status, error, sent_at = DeliveryStatus.SENT, None, sent
            elif roll > 0.01:
                status, error, sent_at = DeliveryStatus.BLOCKED, "Forbidden: bot was blocked", None
            else:
                status, error, sent_at = DeliveryStatus.FAILED, "Bad Request: chat not found", None
            results.append(
                outbox.DeliveryResult(
                    id=delivery_id,
                    status=status,
                    attempts=1,
                    next_attempt_at=sent,
                    last_error=error,
                    sent_at=sent_at,
                )
            )
        outbox.record_delivery_results(session=session, results=results)
