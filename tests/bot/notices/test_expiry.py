"""Expiry reminders on Taiwan's work calendar: planned on the last working day on or before,
released only in office hours, the latest of several due at once, never twice."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.notices.expiry import in_office_hours, plan, release_due_reminders, reminder_text
from bot.notices.registry import import_register, set_renewal
from storage.db import Database
from storage.models import Delivery, ExpiryReminder, Notice, Person, ReminderOptOut

TZ = ZoneInfo("Asia/Taipei")
FIRM = "83045210"
OTHER = "27505051"
DAYS = (90, 30, 7)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def load(db: Database, rows: str, now: datetime, *, replace: bool = False) -> None:
    text = "tax_id,kind,number,product,expires_on\n" + rows
    db.call(import_register, text=text, replace=replace, days=DAYS, tz=TZ, now=now)


def reminders(db: Database) -> list[tuple[int, date, str]]:
    def read(session: Session) -> list[tuple[int, date, str]]:
        found = session.exec(select(ExpiryReminder).order_by(col(ExpiryReminder.id))).all()
        return [(r.days_before, r.planned_on, r.state) for r in found]

    return db.call(read)


def firm_chat(db: Database, telegram_id: int, tax_id: str) -> int:
    def add(session: Session) -> int:
        found = Person(telegram_id=telegram_id, tax_id=tax_id, language="zh-TW")
        session.add(found)
        session.flush()
        assert found.id is not None
        return found.id

    return db.call(add)


def outbox(db: Database) -> list[tuple[str, int | None, int]]:
    def read(session: Session) -> list[tuple[str, int | None, int]]:
        rows = session.exec(
            select(Notice.kind, Notice.ref_id, Delivery.chat_id)
            .join(Delivery, col(Delivery.notice_id) == Notice.id)
            .order_by(col(Delivery.id))
        ).all()
        return [(k, r, c) for k, r, c in rows]

    return db.call(read)


def test_the_7_day_reminder_of_a_certificate_falls_back_before_a_long_weekend() -> None:
    # 2026-04-13 is a Monday; a week before it, Monday 2026-04-06, closes the Tomb-Sweeping
    # long weekend (Friday 3 April to Monday 6 April), so the reminder is on Thursday 2 April.
    plans = {p.days_before: p for p in plan(date(2026, 4, 13), DAYS, TZ)}
    assert plans[7].planned_on == date(2026, 4, 2)
    assert plans[7].due_at == datetime(2026, 4, 2, 9, 30, tzinfo=TZ)
    assert plans[30].planned_on == date(2026, 3, 13)  # 14 March is a Saturday
    assert plans[90].planned_on == date(2026, 1, 13)  # a Tuesday, a working day


def test_90_30_7_across_lunar_new_year() -> None:
    # 30 days before 2026-03-19 is Tuesday 17 February, in the Lunar New Year holidays
    # (14 to 22 February 2026): the last working day before them is Friday 13 February.
    plans = {p.days_before: p.planned_on for p in plan(date(2026, 3, 19), DAYS, TZ)}
    assert plans == {90: date(2025, 12, 19), 30: date(2026, 2, 13), 7: date(2026, 3, 12)}


def test_office_hours_are_0830_to_1730_on_working_days() -> None:
    assert in_office_hours(at(date(2026, 4, 2), 8, 30), TZ)
    assert not in_office_hours(at(date(2026, 4, 2), 8, 29), TZ)
    assert not in_office_hours(at(date(2026, 4, 2), 17, 30), TZ)
    assert not in_office_hours(at(date(2026, 4, 6), 10), TZ)  # a holiday Monday


def test_a_renewal_cancels_the_old_reminders_and_plans_new_ones(db: Database) -> None:
    load(db, f"{FIRM},rpc,R-1,電風扇,2026-04-13\n", at(date(2025, 12, 1)))
    assert [s for _, _, s in reminders(db)] == ["planned"] * 3
    load(db, f"{FIRM},rpc,R-1,電風扇,115/10/13\n", at(date(2026, 1, 5)))
    found = reminders(db)
    assert [s for _, _, s in found[:3]] == ["cancelled"] * 3
    assert found[3:] == [
        (90, date(2026, 7, 15), "planned"),  # 90 days before is Wednesday 15 July
        (30, date(2026, 9, 11), "planned"),  # Sunday 13 Sep → Friday 11 Sep
        (7, date(2026, 10, 6), "planned"),
    ]


def test_a_reminder_due_goes_to_each_chat_of_the_firm_once_and_only_in_office_hours(
    db: Database,
) -> None:
    first = firm_chat(db, 501, FIRM)
    firm_chat(db, 502, FIRM)
    firm_chat(db, 503, OTHER)
    load(db, f"{FIRM},rpc,R-1,電風扇,2026-04-13\n", at(date(2025, 12, 1)))
    assert db.call(release_due_reminders, now=at(date(2026, 1, 13), 9, 29), tz=TZ).sent == 0
    assert db.call(release_due_reminders, now=at(date(2026, 1, 13), 9, 30), tz=TZ).sent == 1
    assert db.call(release_due_reminders, now=at(date(2026, 3, 13), 9, 30), tz=TZ).sent == 1
    # the 7-day one, due Thursday 2 April from 09:30, not before
    assert db.call(release_due_reminders, now=at(date(2026, 4, 2), 9, 0), tz=TZ).sent == 0
    released = db.call(release_due_reminders, now=at(date(2026, 4, 2), 9, 30), tz=TZ)
    assert (released.sent, released.recipients) == (1, 2)
    assert [s for _, _, s in reminders(db)] == ["sent"] * 3
    assert [c for _, _, c in outbox(db)] == [501, 502] * 3
    # once sent, never again, however often the job runs (a restart is just another run)
    assert db.call(release_due_reminders, now=at(date(2026, 4, 2), 11), tz=TZ).sent == 0
    assert len(outbox(db)) == 6
    assert first > 0


def test_a_reminder_found_late_after_office_hours_waits_for_the_next_opening(
    db: Database,
) -> None:
    firm_chat(db, 501, FIRM)
    load(db, f"{FIRM},rpc,R-1,p,2026-04-13\n", at(date(2026, 3, 31)))
    # due Thursday 2 April 09:30; the bot was down until 18:00 that day; Friday 3 April to
    # Monday 6 April are days off, so it goes out at 08:30 on Tuesday 7 April
    assert db.call(release_due_reminders, now=at(date(2026, 4, 2), 18), tz=TZ).sent == 0
    assert db.call(release_due_reminders, now=at(date(2026, 4, 6), 10), tz=TZ).sent == 0
    assert db.call(release_due_reminders, now=at(date(2026, 4, 7), 8, 30), tz=TZ).sent == 1


def test_several_due_at_once_only_the_latest_goes_out_and_past_expiry_none(
    db: Database,
) -> None:
    firm_chat(db, 501, FIRM)
    load(
        db,
        f"{FIRM},rpc,R-1,電風扇,2026-04-13\n{FIRM},cns,C-2,安全帽,2026-04-08\n",
        at(date(2025, 12, 1)),
    )
    # the bot was down from before the first reminders until Friday 10 April
    released = db.call(release_due_reminders, now=at(date(2026, 4, 10), 8, 30), tz=TZ)
    assert (released.sent, released.superseded, released.skipped) == (1, 4, 1)
    states = reminders(db)
    assert [s for _, _, s in states[:3]] == ["superseded", "superseded", "sent"]
    assert [s for _, _, s in states[3:]] == ["superseded", "superseded", "skipped"]
    kinds = outbox(db)
    assert len(kinds) == 1 and kinds[0][0] == "reminder"
    message = db.call(reminder_text, reminder_id=kinds[0][1])
    assert message is not None
    text = message.parts("zh-TW")[0].text
    assert "R-1" in text and "電風扇" in text and "115/04/13" in text
    assert "2026-04-13" in message.parts("en")[0].text


def test_a_firm_without_a_chat_is_unreachable_and_one_that_turned_reminders_off_skipped(
    db: Database,
) -> None:
    chat = firm_chat(db, 501, FIRM)
    db.call(lambda session: session.add(ReminderOptOut(person_id=chat)))
    load(db, f"{FIRM},rpc,R-1,p,2026-04-13\n{OTHER},rpc,R-2,p,2026-04-13\n", at(date(2026, 4, 1)))
    released = db.call(release_due_reminders, now=at(date(2026, 4, 2), 10), tz=TZ)
    assert (released.sent, released.skipped, released.unreachable) == (0, 1, 1)
    assert outbox(db) == []


def test_a_reminder_left_half_done_is_rolled_back_whole_and_sent_once_after(
    db: Database,
) -> None:
    firm_chat(db, 501, FIRM)
    load(db, f"{FIRM},rpc,R-1,p,2026-04-13\n", at(date(2026, 4, 1)))

    def crash(session: Session) -> None:
        release_due_reminders(session=session, now=at(date(2026, 4, 2), 10), tz=TZ)
        raise RuntimeError("the process died mid-send")

    try:
        db.call(crash)
    except RuntimeError:
        pass
    assert outbox(db) == [] and "sent" not in [s for _, _, s in reminders(db)]
    assert db.call(release_due_reminders, now=at(date(2026, 4, 2), 10, 1), tz=TZ).sent == 1
    assert db.call(release_due_reminders, now=at(date(2026, 4, 2), 10, 2), tz=TZ).sent == 0
    assert len(outbox(db)) == 1


def test_the_reminder_names_its_kind_the_register_date_neutral_advice_and_whom_to_ask(
    db: Database,
) -> None:
    """Every kind reads right (產地證明 is no 「產地證明證書」), the date is the register's, the
    advice prescribes no 展延 a kind may not have, and the contact is the secretariat's; a
    category's own text replaces only the advice."""
    firm_chat(db, 501, FIRM)
    load(
        db,
        f"{FIRM},origin,O-1,毛巾,2026-04-13\n{FIRM},metrology,M-2,電子秤,2026-04-13\n",
        at(date(2026, 4, 1)),
    )
    db.call(
        set_renewal,
        code="metrology",
        text_zh="請於期限屆滿前申請重新檢定。",
        text_en="Apply for re-verification before it ends.",
        now=at(date(2026, 4, 1)),
    )
    db.call(release_due_reminders, now=at(date(2026, 4, 2), 10), tz=TZ)
    by_number = {}
    for _, ref_id, _ in outbox(db):
        message = db.call(reminder_text, reminder_id=ref_id)
        assert message is not None
        by_number[message.number] = message
    origin = by_number["O-1"].parts("zh-TW")[0].text
    assert "證書種類：產地證明\n" in origin and "證明證書" not in origin
    assert "到期日依本分局登錄資料，實際有效期限以證書記載為準。" in origin
    assert (
        "應辦事項：請留意證書有效期限，並依相關規定於期限屆滿前辦理展延、換證或重新申請；"
        "辦理方式請洽本分局。" in origin
    )
    assert "如有疑問，請洽本分局秘書室（研考）。" in origin and "服務台" not in origin
    metrology = by_number["M-2"].parts("zh-TW")[0].text
    assert "應辦事項：請於期限屆滿前申請重新檢定。" in metrology and "展延" not in metrology
    assert "到期日依本分局登錄資料" in metrology and "秘書室（研考）" in metrology
    english = by_number["O-1"].parts("en")[0].text
    assert "The date is the one in the branch's register" in english
    assert "secretariat (research and evaluation)" in english and "service desk" not in english
