"""bot/cases/news.py: who is told of a case event (the reporter, the unit's inspectors, the
secretariat; never who reported, to staff) and `tell` writing the news to the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from bot.cases.actions import Action
from bot.cases.news import (
    CaseNews,
    info_received_notices,
    new_case_notices,
    reporter_notice,
    tell,
    unit_notices,
)
from storage.db import Database
from storage.models import Case, Delivery, Notice, OutboxText, Person, Role
from storage.models.notices import URGENT, NoticeKind
from storage.queries.cases import fetch_case_by_number
from storage.queries.outbox.texts import load_values
from storage.queries.people import forget_person, set_blocked
from tests.factories import do, file_on, person

SECRETARY = 5201
SECOND_SECRETARY = 5202
INSPECTOR = 5203
SECOND_INSPECTOR = 5204
OTHER_UNIT = 5205
REPORTER = 5206
ADMIN = 5207
DAY = date(2026, 4, 1)
NOW = datetime(2026, 4, 1, 7, tzinfo=UTC)

Row = tuple[int | None, str, str, str, bool, int | None, int, str | None]


def outbox(db: Database) -> list[Row]:
    """Every outbox row: chat, kind, title, key, public, case, priority, once key."""

    def read(session: Session) -> list[Row]:
        rows = session.exec(
            select(Delivery, Notice, OutboxText)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .order_by(col(Delivery.id))
        ).all()
        return [
            (d.chat_id, n.kind, n.title, t.key, t.public, t.case_id, d.priority, d.once_key)
            for d, n, t in rows
        ]

    return db.call(read)


def stored_values(db: Database) -> list[dict[str, object]]:
    return db.call(
        lambda session: [
            load_values(t.values)
            for t in session.exec(select(OutboxText).order_by(col(OutboxText.id)))
        ]
    )


def news_of(
    db: Database, news: Callable[..., list[CaseNews]], *args: object, **values: object
) -> list[CaseNews]:
    """What `news(session, *args, **values)` says, in a transaction of its own."""
    return db.call(lambda session: news(session, *args, **values))


def case_of(db: Database, number: str) -> Case:
    case_row = db.call(fetch_case_by_number, number=number)
    assert case_row is not None
    return case_row


def set_language(db: Database, telegram_id: int, language: str) -> None:
    def change(session: Session) -> None:
        row = session.exec(select(Person).where(Person.telegram_id == telegram_id)).one()
        row.language = language
        session.add(row)

    db.call(change)


def test_one_text_to_several_recipients_is_one_message_with_a_row_each(db: Database) -> None:
    filed = file_on(db, DAY)
    case_row = case_of(db, filed.number)
    news = [
        CaseNews(chat_id=chat, language="en", key="cases.notify.info_received", values=values)
        for chat, values in (
            (INSPECTOR, {"number": filed.number, "info": "a receipt"}),
            (SECOND_INSPECTOR, {"number": filed.number, "info": "a receipt"}),
            (OTHER_UNIT, {"number": filed.number, "info": "another line"}),
        )
    ]
    reporter = CaseNews(
        chat_id=REPORTER,
        language="zh-TW",
        key="cases.notify.info_received",
        values={"number": filed.number, "info": "a receipt"},
        to_reporter=True,
    )
    written = db.call(tell, case_id=case_row.id, notices=[*news, reporter], now=NOW)
    assert written == 4
    title = f"{filed.number} cases.notify.info_received"
    kind = NoticeKind.CASE_NEWS.value
    key = "cases.notify.info_received"
    assert outbox(db) == [
        (INSPECTOR, kind, title, key, False, case_row.id, URGENT, None),
        (SECOND_INSPECTOR, kind, title, key, False, case_row.id, URGENT, None),
        (OTHER_UNIT, kind, title, key, False, case_row.id, URGENT, None),
        (REPORTER, kind, title, key, True, case_row.id, URGENT, None),  # signed by the branch
    ]
    assert stored_values(db) == [
        {"number": filed.number, "info": "a receipt"},
        {"number": filed.number, "info": "another line"},
        {"number": filed.number, "info": "a receipt"},
    ]


def test_a_reminder_is_written_once_for_its_key_and_a_text_without_number_is_titled_by_key(
    db: Database,
) -> None:
    reminder = CaseNews(
        chat_id=SECRETARY, language="en", key="cases.reminder.overdue", values={"due": DAY}
    )
    kind = NoticeKind.CASE_REMINDER.value
    once = {SECRETARY: f"{kind}:overdue:2026-04-01"}
    first = db.call(tell, case_id=None, notices=[reminder], now=NOW, kind=kind, once_keys=once)
    again = db.call(tell, case_id=None, notices=[reminder], now=NOW, kind=kind, once_keys=once)
    assert (first, again) == (1, 0)
    assert outbox(db) == [
        (
            SECRETARY,
            kind,
            "cases.reminder.overdue",
            "cases.reminder.overdue",
            False,
            None,
            URGENT,
            once[SECRETARY],
        )
    ]
    assert stored_values(db) == [{"due": DAY}]
    assert db.call(tell, case_id=None, notices=[], now=NOW) == 0


def test_the_reporter_is_told_in_their_language_even_when_they_blocked_the_bot(
    db: Database,
) -> None:
    reporter = person(db, REPORTER)
    filed = file_on(db, DAY, reporter=reporter)
    case_row = case_of(db, filed.number)
    told = news_of(db, reporter_notice, case_row, "cases.notify.reply", reply="已下架")
    assert told == [
        CaseNews(
            chat_id=REPORTER,
            language="zh-TW",  # the language the case was filed in, the person having none
            key="cases.notify.reply",
            values={"number": filed.number, "reply": "已下架"},
            to_reporter=True,
            person_id=reporter.id,
        )
    ]
    set_language(db, REPORTER, "en")
    db.call(set_blocked, telegram_id=REPORTER, blocked=True)
    again = news_of(db, reporter_notice, case_row, "cases.notify.reply", reply="已下架")
    assert [(n.chat_id, n.language) for n in again] == [(REPORTER, "en")]


def test_a_case_filed_off_line_or_by_a_forgotten_reporter_tells_nobody(db: Database) -> None:
    off_line = case_of(db, file_on(db, DAY).number)
    assert news_of(db, reporter_notice, off_line, "cases.notify.assigned") == []
    reporter = person(db, REPORTER)
    filed = file_on(db, DAY, reporter=reporter)
    db.call(forget_person, person_id=reporter.id)
    assert news_of(db, reporter_notice, case_of(db, filed.number), "cases.notify.assigned") == []


def test_the_units_inspectors_are_told_the_case_without_who_reported_it(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    first = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    second = person(db, SECOND_INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(db, OTHER_UNIT, Role.INSPECTOR, unit="sec2")
    set_language(db, SECOND_INSPECTOR, "en")
    filed = file_on(
        db,
        DAY,
        reporter=person(db, REPORTER),
        subject="行" * 400,
        contact=("王小明", "0912345678"),
    )
    do(db, filed.number, Action.ASSIGN, secretary, DAY, unit="sec1")
    case_row = case_of(db, filed.number)
    assert case_row.unit_id is not None
    told = news_of(db, unit_notices, case_row, case_row.unit_id)
    values = {
        "number": filed.number,
        "kind": "product",
        "subject": "行" * 300,
        "due": filed.due_on,
    }
    assert sorted(told, key=lambda n: n.chat_id) == [
        CaseNews(INSPECTOR, None, "cases.notify.assigned_unit", values, person_id=first.id),
        CaseNews(
            SECOND_INSPECTOR, "en", "cases.notify.assigned_unit", values, person_id=second.id
        ),
    ]
    db.call(set_blocked, telegram_id=SECOND_INSPECTOR, blocked=True)
    assert [n.chat_id for n in news_of(db, unit_notices, case_row, case_row.unit_id)] == [
        INSPECTOR
    ]


def test_what_the_reporter_added_goes_to_the_units_inspectors_only(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec2")
    person(db, OTHER_UNIT, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, DAY)
    assert (
        news_of(db, info_received_notices, case_of(db, filed.number), "收據") == []
    )  # no unit yet
    do(db, filed.number, Action.ASSIGN, secretary, DAY, unit="sec2")
    told = news_of(db, info_received_notices, case_of(db, filed.number), "收據")
    assert told == [
        CaseNews(
            INSPECTOR,
            None,
            "cases.notify.info_received",
            {"number": filed.number, "info": "收據"},
            person_id=inspector.id,
        )
    ]


def test_a_new_case_is_told_to_the_secretariat_alone(db: Database) -> None:
    first = person(db, SECRETARY, Role.SECRETARIAT)
    second = person(db, SECOND_SECRETARY, Role.SECRETARIAT)
    person(db, ADMIN, Role.ADMIN)
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, DAY, kind="product", subject="延長線", reporter=person(db, REPORTER))
    told = db.call(new_case_notices, number=filed.number.lower())
    values = {"number": filed.number, "kind": "product", "subject": "延長線"}
    assert sorted(told, key=lambda n: n.chat_id) == [
        CaseNews(SECRETARY, None, "cases.notify.new_case", values, person_id=first.id),
        CaseNews(SECOND_SECRETARY, None, "cases.notify.new_case", values, person_id=second.id),
    ]
    assert db.call(new_case_notices, number="P2026-09999") == []
