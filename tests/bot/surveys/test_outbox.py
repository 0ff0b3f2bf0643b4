"""A survey message handed to the outbox (bot/surveys/outbox.py): one notice of the feature's
kind pointing at the survey, its title kept, and one pending delivery per chosen chat, in the
caller's transaction."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.surveys.outbox import hand_to_outbox
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Notice
from storage.models.notices import NoticeKind
from tests.factories import person


def test_one_notice_of_the_kind_and_one_pending_delivery_per_chat(db: Database) -> None:
    firm = person(db, 4201)
    notice_id = db.call(
        hand_to_outbox,
        kind=NoticeKind.SURVEY,
        ref_id=77,
        title="2026 滿意度調查",
        recipients=[(firm.id, 4201), (None, 4202)],
        now=utcnow(),
    )

    def written(session: Session) -> tuple[Notice, list[tuple[int | None, int, str]]]:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        rows = session.exec(
            select(Delivery).where(Delivery.notice_id == notice_id).order_by(col(Delivery.chat_id))
        ).all()
        return notice, [(d.person_id, d.chat_id, d.status) for d in rows]

    notice, deliveries = db.call(written)
    assert (notice.kind, notice.ref_id, notice.title) == ("survey", 77, "2026 滿意度調查")
    assert deliveries == [(firm.id, 4201, "pending"), (None, 4202, "pending")]
