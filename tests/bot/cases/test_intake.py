"""Intake as one use case: the checks of what staff type, a refused person audited, the deadline
counted from the date received, and a reply given off chat (how and when) closing on time."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import select

from bot.cases.actions import Action, Refused
from bot.cases.details import fetch_case_details
from bot.cases.intake import (
    IntakeDraft,
    Logged,
    check_email,
    check_phone,
    check_received_on,
    intake_case,
)
from bot.cases.lifecycle import reply_given, take_action
from kernel import workcalendar
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Case, CaseReporter, Role
from tests.factories import TZ, do, person

SECRETARY = 5301
INSPECTOR = 5302
FIRM = 5303
NOW = datetime.combine(date(2026, 12, 7), time(10), tzinfo=TZ)


def draft(**changes: object) -> IntakeDraft:
    given = IntakeDraft(
        channel="letter",
        kind="product",
        subject="電暖器 HeatPro HP-9",
        location="竹北市某五金行",
        description="來函指出插頭過熱冒煙，包裝無檢驗標識。",
        received_on="2026-10-08",
        contact_name="林美惠",
        contact_address="新竹市東區光復路二段 101 號",
    )
    for key, value in changes.items():
        setattr(given, key, value)
    return given


def log(db: Database, actor_id: int, given: IntakeDraft) -> Logged | Refused:
    actor = person(db, actor_id)
    return db.call(
        intake_case,
        draft=given,
        actor=actor,
        now=NOW,
        tz=TZ,
        reply_days=30,
        counting="working",
    )


def test_typed_dates_phones_and_addresses_are_checked_in_one_sentence() -> None:
    today = date(2026, 12, 7)
    assert check_received_on("115/10/08", today) == date(2026, 10, 8)
    assert check_received_on("２０２６－１０－０８", today) == date(2026, 10, 8)
    for typed, key in (
        ("上週三", "intake.bad_date"),
        ("2026-02-30", "intake.bad_date"),
        ("2026-12-08", "intake.future_date"),
        ("2025-12-01", "intake.old_date"),
    ):
        with pytest.raises(UserError) as caught:
            check_received_on(typed, today)
        assert caught.value.key == key
    assert check_phone("(03) 555-1234 #12") == "(03) 555-1234 #12"
    assert check_email(" mei@example.com ") == "mei@example.com"
    for bad in ("12345", "call me", "0912-abc-123"):
        with pytest.raises(UserError):
            check_phone(bad)
    for bad in ("mei@", "mei at example.com", "a@b", "a b@example.com"):
        with pytest.raises(UserError):
            check_email(bad)


def test_the_draft_survives_its_round_trip_through_user_data() -> None:
    given = draft(files=[["document", "scan-1", "來函.pdf"]], contact_email="m@example.com")
    assert IntakeDraft.from_dict(given.to_dict()) == given
    assert IntakeDraft.from_dict({"channel": 3, "received_on": None}) == IntakeDraft()


def test_the_deadline_counts_working_days_from_the_date_received(db: Database) -> None:
    person(db, SECRETARY, Role.SECRETARIAT)
    logged = log(db, SECRETARY, draft())
    assert isinstance(logged, Logged)
    # 8 October 2026 is a Thursday; the 9th and 26 October are holidays in lieu (National Day
    # and Restoration Day fall on a weekend), so thirty working days end two working days
    # later than six calendar weeks would (Thursday 19 November).
    assert workcalendar.holiday_name(date(2026, 10, 9))
    assert workcalendar.holiday_name(date(2026, 10, 26))
    assert logged.received_on == date(2026, 10, 8)
    assert logged.due_on == date(2026, 11, 23)
    case = db.call(lambda session: session.exec(select(Case)).one())
    assert (case.received_at.astimezone(TZ).hour, case.channel) == (9, "letter")


def test_a_person_without_a_staff_role_is_refused_and_audited(db: Database) -> None:
    person(db, FIRM)
    refused = log(db, FIRM, draft())
    assert isinstance(refused, Refused) and refused.error.key == "access.denied"
    assert db.call(lambda session: session.exec(select(Case)).all()) == []
    audit = db.call(lambda session: session.exec(select(AuditEntry)).all())
    assert [(a.action, a.allowed, a.actor_telegram_id) for a in audit] == [
        ("case.intake", False, FIRM)
    ]


def test_a_monitor_report_or_an_unknown_channel_cannot_be_logged(db: Database) -> None:
    person(db, SECRETARY, Role.SECRETARIAT)
    for changes, key in (
        ({"kind": "monitor"}, "report.kind_unknown"),
        ({"channel": "telegram"}, "intake.channel_unknown"),
        ({"subject": "\u200b"}, "report.subject_empty"),
    ):
        with pytest.raises(UserError) as caught:
            log(db, SECRETARY, draft(**changes))
        assert caught.value.key == key
    assert db.call(lambda session: session.exec(select(Case)).all()) == []


def test_anonymous_keeps_no_contact_and_leaves_no_way_to_answer(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    logged = log(db, SECRETARY, draft(channel="phone", anonymous=True, contact_phone="0912"))
    assert isinstance(logged, Logged)
    reporter = db.call(lambda session: session.exec(select(CaseReporter)).one())
    assert reporter.anonymous and reporter.contact_name is reporter.contact_address is None
    details = db.call(fetch_case_details, number=logged.number, viewer=secretary)
    assert details.off_chat and details.answer_by == ()


def test_a_reply_off_chat_needs_how_and_records_its_day(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    logged = log(db, SECRETARY, draft(contact_phone="03-5551234"))
    assert isinstance(logged, Logged)
    number = logged.number
    do(db, number, Action.ASSIGN, secretary, date(2026, 10, 12), unit="sec1")
    seen = db.call(fetch_case_details, number=number, viewer=inspector)
    assert seen.reporter is None and seen.answer_by == ("phone", "letter")
    with pytest.raises(UserError) as caught:
        do(db, number, Action.REPLY, inspector, date(2026, 11, 23), text="已電話說明。")
    assert caught.value.key == "cases.reply_how_needed"
    taken = db.call(
        take_action,
        number=number,
        action=Action.REPLY,
        actor=inspector,
        today=date(2026, 11, 23),
        counting="working",
        text="2026-11-20\n已電話說明查核結果。",
        reply_how="phone",
    )
    assert not isinstance(taken, Refused) and taken.letter is None
    do(db, number, Action.CLOSE, secretary, date(2026, 11, 24))
    case = db.call(lambda session: session.exec(select(Case)).one())
    assert (case.reply_channel, case.replied_on, case.reply_text) == (
        "phone",
        date(2026, 11, 20),
        "已電話說明查核結果。",
    )
    assert case.closure == "on_time"  # replied before the deadline, whenever it was recorded


def test_a_reply_day_outside_receipt_and_today_is_asked_again() -> None:
    received, today = date(2026, 10, 8), date(2026, 11, 23)
    assert reply_given("已說明。", received_on=received, today=today) == (today, "已說明。")
    assert reply_given("115/11/20\n已說明。", received_on=received, today=today) == (
        date(2026, 11, 20),
        "已說明。",
    )
    for typed in ("2026-11-24\n已說明。", "2026-10-07\n已說明。", "2026-13-01\n已說明。"):
        with pytest.raises(UserError) as caught:
            reply_given(typed, received_on=received, today=today)
        assert caught.value.key == "cases.reply_date_bad"
    with pytest.raises(UserError):
        reply_given("2026-11-20\n ", received_on=received, today=today)
