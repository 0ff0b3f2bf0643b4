"""The improvement reminder job: the owner unit's inspectors are told of an action three
working days before its due date and once it is overdue, each once (a unique key on the outbox
row), on working days only; another unit's staff, and a closed action, get nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from bot.jobs.improvement_reminders import enqueue_reminders
from bot.surveys import improvements as improving
from storage.db import Database
from storage.models import Delivery, Notice, OutboxText, Role
from storage.models.surveys import ImprovementState
from storage.queries.outbox.texts import load_values
from tests.bot.surveys.scored import SHARES, scored_survey
from tests.factories import person

NOW = datetime(2027, 3, 15, 1, 0, tzinfo=UTC)
DUE = date(2027, 4, 21)  # a Wednesday


def written(db: Database) -> list[tuple[int | None, str | None, str, dict[str, object]]]:
    with db.transaction() as session:
        rows = session.exec(
            select(Delivery, OutboxText)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(Notice.kind == "improvement_reminder")
            .order_by(col(Delivery.id))
        ).all()
        return [(d.chat_id, d.once_key, t.key, load_values(t.values)) for d, t in rows]


def remind(db: Database, today: date) -> int:
    return db.call(enqueue_reminders, today=today, default="zh-TW", now=NOW)


def test_the_owner_unit_is_reminded_before_the_due_date_and_once_overdue(db: Database) -> None:
    person(db, 501, Role.INSPECTOR, unit="sec1")
    person(db, 502, Role.INSPECTOR, unit="sec2")
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=NOW)
    action = db.call(
        improving.open_improvement,
        survey_id=survey_id,
        question="measures",
        unit_code="sec1",
        plan="增設叫號看板",
        due_on=DUE,
        threshold=80,
        today=date(2027, 3, 15),
        actor="test",
        by=None,
        now=NOW,
    )
    assert remind(db, date(2027, 4, 15)) == 0  # four working days before
    assert remind(db, date(2027, 4, 17)) == 0  # a Saturday
    assert remind(db, date(2027, 4, 16)) == 1  # three working days before: Fri 16 April
    assert remind(db, date(2027, 4, 21)) == 0  # the due day: already told
    assert remind(db, date(2027, 4, 22)) == 1  # overdue
    assert remind(db, date(2027, 4, 23)) == 0  # never twice
    rows = written(db)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (501, f"improvement_reminder:due:{action.id}:2027-04-21:501", "improvements.remind.due"),
        (
            501,
            f"improvement_reminder:overdue:{action.id}:2027-04-21:501",
            "improvements.remind.overdue",
        ),
    ]
    assert rows[0][3]["due"] == DUE and "服務措施：增設叫號看板" in str(rows[0][3]["lines"])
    assert action.id is not None
    db.call(
        improving.move_improvement,
        improvement_id=action.id,
        to=ImprovementState.CLOSED,
        text="已完成",
        actor="test",
        by=None,
        now=NOW,
    )
    assert remind(db, date(2027, 4, 26)) == 0
