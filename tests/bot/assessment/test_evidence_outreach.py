"""The notice network's reach under 五(二) 創新服務: one branch row whose figures are the sums of
the categories 服務遞送 shows for the same period, counted again from the rows."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from bot.assessment.evidence import build_evidence, notices_source
from bot.assessment.evidence_outreach import reach_source
from bot.notices import demo as notice_demo
from kernel.periods import Period
from storage.db import Database
from storage.models import Delivery, Notice, NoticeCategory

TZ = ZoneInfo("Asia/Taipei")
H1 = Period(2026, half=1)


def test_the_reach_row_adds_up_the_delivery_sections_categories(db: Database) -> None:
    db.call(notice_demo.seed_demo, rng=random.Random(2026), year=2026)
    evidence = db.call(
        build_evidence,
        period=H1,
        language="zh-TW",
        today=date(2026, 11, 26),
        pass_mark=80,
        tz=TZ,
        sources=[notices_source, reach_source],
    )
    delivery, reach = evidence.sections
    ((label, (notices, reached)),) = reach.rows
    assert label == "全分局（各業務類別合計）" and reach.dimension == "innovation"
    assert notices == sum(v[0] for _, v in delivery.rows)  # type: ignore[misc]
    assert reached == sum(v[1] for _, v in delivery.rows)  # type: ignore[misc]

    def counted(session):  # type: ignore[no-untyped-def]
        start = datetime.combine(date(2026, 1, 1), time(0), tzinfo=TZ)
        end = datetime.combine(date(2026, 7, 1), time(0), tzinfo=TZ)
        released = (
            col(Notice.kind) == "notice",
            col(Notice.released_at) >= start,
            col(Notice.released_at) < end,
        )
        pairs = session.exec(
            select(NoticeCategory.notice_id, NoticeCategory.category_id)
            .join(Notice, col(Notice.id) == NoticeCategory.notice_id)
            .where(*released)
        ).all()
        chats = session.exec(
            select(NoticeCategory.category_id, func.count(func.distinct(Delivery.chat_id)))
            .join(Notice, col(Notice.id) == NoticeCategory.notice_id)
            .join(Delivery, col(Delivery.notice_id) == Notice.id)
            .where(*released, col(Delivery.status) == "sent")
            .group_by(NoticeCategory.category_id)
        ).all()
        return len(pairs), sum(n for _, n in chats)

    assert (notices, reached) == db.call(counted)
    assert notices > 0 and reached > 0
