"""The demo year of the notice network."""

from __future__ import annotations

import random

from sqlmodel import col, select

from bot.notices.demo import seed_demo
from bot.notices.status import recent_statuses
from storage.db import Database
from storage.models import Delivery, Subscription


def test_seed_demo_fills_a_year_of_subscribers_and_delivered_notices(db: Database) -> None:
    with db.transaction() as session:
        seed_demo(session=session, rng=random.Random(7), year=2026)
    with db.transaction() as session:
        subscribers = session.exec(select(Subscription.person_id).distinct()).all()
        statuses = recent_statuses(session=session, limit=50)
        sent = session.exec(
            select(Delivery).where(
                col(Delivery.status) == "sent", col(Delivery.sent_at).is_not(None)
            )
        ).all()
    assert len(subscribers) >= 100
    assert len(statuses) == 12
    assert all(s.counts["pending"] == 0 for s in statuses)
    assert len(sent) > 100
