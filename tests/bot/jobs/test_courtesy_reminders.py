"""The courtesy reminder job writes the day's reminders to the outbox: one a recipient and
day for each of today's calls, results due soon and results overdue (never twice), the lines
in the recipient's language, the overdue list cut at 50; and nothing before 08:00."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.jobs.courtesy_reminders import enqueue_reminders
from storage.db import Database
from storage.models import Delivery, Notice, OutboxText, Person, Role
from storage.queries.courtesy import fetch_test_views
from storage.queries.outbox.texts import load_values
from tests.courtesy.plans import INSPECTOR, SECRETARY, linked_call
from tests.factories import person

NOW = datetime(2026, 4, 28, 8, 0, tzinfo=ZoneInfo("Asia/Taipei"))


def written(db: Database) -> list[tuple[int | None, str | None, str, dict[str, object]]]:
    """Each reminder row: chat, once key, catalogue key and values."""
    with db.transaction() as session:
        rows = session.exec(
            select(Delivery, OutboxText)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(Notice.kind == "courtesy_reminder")
            .order_by(col(Delivery.id))
        ).all()
        return [(d.chat_id, d.once_key, t.key, load_values(t.values)) for d, t in rows]


def remind(db: Database, today: date, default: str = "zh-TW") -> int:
    return db.call(enqueue_reminders, today=today, default=default, now=NOW)


def test_results_due_soon_are_one_reminder_a_day_listing_every_call_in_the_default_language(
    db: Database,
) -> None:
    code, _, _ = linked_call(db)
    assert remind(db, date(2026, 4, 28)) >= 1
    assert remind(db, date(2026, 4, 28)) == 0
    mine = [r for r in written(db) if r[0] == INSPECTOR]
    assert [(r[1], r[2]) for r in mine] == [
        (f"courtesy_reminder:due:2026-04-28:{INSPECTOR}", "courtesy.remind.due")
    ]
    values = mine[0][3]
    assert values["due"] == date(2026, 5, 4)
    lines = str(values["lines"]).splitlines()
    assert any(line.startswith(f"• {code} ") for line in lines)
    assert all("｜稽查同仁 " in line and "｜期限 115/05/04" in line for line in lines)


def test_the_days_calls_are_listed_by_time_in_the_inspectors_saved_language(
    db: Database,
) -> None:
    code, person_id, _ = linked_call(db)
    with db.transaction() as session:
        row = session.get(Person, person_id)
        assert row is not None
        row.language = "en"
        session.add(row)
        views = fetch_test_views(session=session, year=2026)
    mine = next(v for v in views if v.code == code)
    remind(db, mine.day)
    calls = [r for r in written(db) if r[2] == "courtesy.remind.calls"]
    assert [r[0] for r in calls] == [INSPECTOR]
    expected = sorted(
        (v.at, v.code) for v in views if v.day == mine.day and v.inspector_id == mine.inspector_id
    )
    lines = str(calls[0][3]["lines"]).splitlines()
    assert [line.split()[1] for line in lines] == [f"<code>{c}</code>" for _, c in expected]
    assert all("| ext. " in line for line in lines)


def test_the_overdue_list_names_fifty_calls_and_counts_the_rest(db: Database) -> None:
    linked_call(db)
    person(db, SECRETARY, Role.SECRETARIAT)
    remind(db, date(2026, 9, 7), default="en")  # rounds 1 and 2 are overdue: 54 calls
    overdue = [r for r in written(db) if r[2] == "courtesy.remind.overdue"]
    assert [r[0] for r in overdue] == [SECRETARY]
    lines = str(overdue[0][3]["lines"]).splitlines()
    late = [v for v in db.call(fetch_test_views, year=2026) if v.due_on < date(2026, 9, 7)]
    assert len(late) > 50 and len(lines) == 51
    assert lines[-1].startswith(f"…and {len(late) - 50} more;")
