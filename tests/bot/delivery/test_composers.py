"""Messages a feature composes (reminders, survey invitations) go through the same outbox as
notices: enqueued for the chats the feature chose, rendered per language, with buttons, and kept
out of the staff's notice lists."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from bot.delivery import composers
from bot.delivery.worker import DeliveryWorker
from bot.notices.status import notice_status, recent_statuses
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.outgoing import Button, Part
from storage.db import Database
from storage.models import Delivery, Notice, Person
from storage.models.notices import DeliveryStatus, NoticeKind, NoticeState
from storage.queries.outbox.enqueue import enqueue
from storage.queries.registry.firm_chats import set_reminders_off
from tests.fakes import FakeBotApi


@dataclass(frozen=True)
class Reminder:
    number: str

    def parts(self, language: str) -> list[Part]:
        text = (
            f"證書 <b>{self.number}</b> 即將到期"
            if language == "zh-TW"
            else (f"Certificate <b>{self.number}</b> expires soon")
        )
        stop = Button(
            "停止提醒" if language == "zh-TW" else "Stop reminders", f"rem:off:{self.number}"
        )
        return [Part(text, ((stop,),))]


COMPOSED: dict[int, Reminder] = {7: Reminder("R33001")}


def compose(session: Session, ref_id: int) -> Reminder | None:
    return COMPOSED.get(ref_id)


@pytest.fixture(autouse=True)
def reminder_composer(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module's composer for the test, the real one (bot.notices.expiry) back after."""
    monkeypatch.setitem(composers.COMPOSERS, NoticeKind.REMINDER.value, compose)


def send_reminder(db: Database, ref_id: int, chats: list[tuple[int, str]]) -> tuple[int, int]:
    """People with these chats and languages, and one reminder row enqueued to each chat twice."""

    def write(session: Session) -> tuple[int, int]:
        recipients: list[tuple[int | None, int]] = []
        for chat_id, language in chats:
            person = Person(telegram_id=chat_id, first_name="firm", language=language)
            session.add(person)
            session.flush()
            recipients += [(person.id, chat_id), (person.id, chat_id)]
        notice = Notice(title="reminder", body="", kind=NoticeKind.REMINDER.value, ref_id=ref_id)
        session.add(notice)
        session.flush()
        assert notice.id is not None
        return notice.id, enqueue(
            session=session, notice_id=notice.id, recipients=recipients, now=utcnow()
        )

    return db.call(write)


async def settled(db: Database, notice_id: int, timeout: float = 20.0) -> list[Delivery]:
    deadline = time.monotonic() + timeout
    while True:
        with db.transaction() as session:
            found = list(session.exec(select(Delivery).where(Delivery.notice_id == notice_id)))
        if found and all(r.status not in ("pending", "retrying") for r in found):
            return found
        assert time.monotonic() < deadline, [r.status for r in found]
        await asyncio.sleep(0.1)


def test_enqueue_writes_one_row_per_chat_and_releases_the_row(db: Database) -> None:
    notice_id, written = send_reminder(db, 7, [(8101, "zh-TW"), (8102, "en")])
    assert written == 2
    with db.transaction() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        assert (notice.state, notice.recipients) == (NoticeState.RELEASED.value, 2)
        assert notice.released_at is not None
        chats = sorted(r.chat_id for r in session.exec(select(Delivery)))
    assert chats == [8101, 8102]


async def test_a_composed_message_reaches_each_chat_once_in_its_language_with_buttons(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    notice_id, _ = send_reminder(db, 7, [(8201, "zh-TW"), (8202, "en")])
    found = await settled(db, notice_id)
    assert {r.status for r in found} == {DeliveryStatus.SENT.value}
    zh = fake_api.calls("sendMessage", chat_id=8201)
    en = fake_api.calls("sendMessage", chat_id=8202)
    assert [c.text for c in zh] == ["證書 <b>R33001</b> 即將到期"]
    assert [c.text for c in en] == ["Certificate <b>R33001</b> expires soon"]
    markup = zh[0].params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup == {
        "inline_keyboard": [[{"text": "停止提醒", "callback_data": "rem:off:R33001"}]]
    }
    assert all(c.ok for c in zh + en)


async def test_a_message_whose_record_is_gone_closes_as_failed_without_sending(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    notice_id, _ = send_reminder(db, 99, [(8301, "zh-TW")])
    found = await settled(db, notice_id)
    assert [r.status for r in found] == [DeliveryStatus.FAILED.value]
    assert fake_api.calls("sendMessage", chat_id=8301) == []


def test_staff_notice_lists_and_status_leave_composed_messages_out(db: Database) -> None:
    notice_id, _ = send_reminder(db, 7, [(8401, "zh-TW")])
    assert notice_id not in [s.notice_id for s in db.call(recent_statuses)]
    with pytest.raises(UserError):
        db.call(notice_status, notice_id=notice_id)


def test_callback_data_longer_than_telegram_allows_is_refused_when_composed() -> None:
    with pytest.raises(ValueError):
        Button("x", "y" * 65)


async def test_a_reminder_waiting_for_a_retry_is_not_sent_once_the_chat_turns_reminders_off(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    # The first try meets a 502 and the row waits for its retry; the firm says /reminders off
    # meanwhile. The retry must close the row unsent, however the message was composed.
    fake_api.fail("sendMessage", chat_id=8501, status=502, times=1)
    notice_id, _ = send_reminder(db, 7, [(8501, "zh-TW"), (8502, "en")])

    def row_of(session: Session, *, chat_id: int) -> Delivery:
        return session.exec(
            select(Delivery).where(Delivery.notice_id == notice_id, Delivery.chat_id == chat_id)
        ).one()

    deadline = time.monotonic() + 20
    while db.call(row_of, chat_id=8501).status != DeliveryStatus.RETRYING.value:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)

    def turn_off_and_make_due(session: Session) -> None:
        person = session.exec(select(Person).where(Person.telegram_id == 8501)).one()
        assert person.id is not None
        set_reminders_off(session=session, person_id=person.id, off=True, now=utcnow())
        row = row_of(session=session, chat_id=8501)
        row.next_attempt_at = utcnow()
        session.add(row)

    db.call(turn_off_and_make_due)
    found = {r.chat_id: r for r in await settled(db, notice_id)}
    assert found[8502].status == DeliveryStatus.SENT.value
    assert found[8501].status != DeliveryStatus.SENT.value
    assert found[8501].last_error is not None and "reminders off" in found[8501].last_error
    assert [c.ok for c in fake_api.calls("sendMessage", chat_id=8501)] == [False]
