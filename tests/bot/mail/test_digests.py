"""Digests: daily at 08:30 on working days and weekly on the week's first working day (by the
work calendar, so across Lunar New Year and a holiday Monday), covering the notices released
since the previous digest; nothing when there is nothing, never twice (also across a restart),
and only to digest subscribers; the e-mail through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
from datetime import date, datetime, timedelta
from email import policy
from email.message import Message
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.mail.digests import due, write_due_digests
from bot.mail.sender import MailSender
from bot.notices.publishing import publish
from storage.db import Database
from storage.models import Delivery
from storage.models.mail import EmailDigest
from storage.models.notices import Channel
from storage.queries import mail as q
from storage.queries import mail_digests
from storage.queries import notices as notices_q
from tests.bot.mail.conftest import Inbox, add_subscribers

TZ = ZoneInfo("Asia/Taipei")


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def subscriber(
    db: Database, address: str, frequency: str, codes: tuple[str, ...] = ("rpc",)
) -> int:
    return db.call(
        lambda session: add_subscribers(
            session, {address: frequency}, codes=codes, now=at(date(2026, 1, 5)), language="zh-TW"
        )[address]
    )


def release(
    db: Database,
    title: str,
    when: datetime,
    *,
    codes: tuple[str, ...] = ("rpc",),
    archive: bool = True,
) -> int:
    return db.call(
        lambda session: publish(
            session,
            title=title,
            body="內容",
            codes=list(codes),
            created_by_id=None,
            now=when,
            archive=archive,
        )
    ).notice_id


def run(db: Database, when: datetime) -> dict[str, int]:
    return db.call(lambda session: write_due_digests(session, now=when, tz=TZ))


def digests(db: Database) -> list[EmailDigest]:
    with db.reading() as session:
        return list(session.exec(select(EmailDigest).order_by(col(EmailDigest.id))).all())


def digest_rows(db: Database) -> list[Delivery]:
    with db.reading() as session:
        return list(
            session.exec(
                select(Delivery)
                .where(
                    Delivery.channel == Channel.EMAIL.value,
                    col(Delivery.once_key).like("digest:%"),
                )
                .order_by(col(Delivery.id))
            ).all()
        )


def listed(db: Database, row: Delivery) -> list[str]:
    """The titles the digest row's e-mail would list for its subscriber."""
    with db.reading() as session:
        digest_id = session.exec(
            select(EmailDigest.id)
            .where(EmailDigest.frequency == row.once_key.split(":")[1])  # type: ignore[union-attr]
            .where(EmailDigest.day == date.fromisoformat(row.once_key.split(":")[2]))  # type: ignore[union-attr]
        ).one()
        digest = mail_digests.fetch_digest(session=session, digest_id=digest_id)
        assert digest is not None and row.email_id is not None
        return [
            n.title
            for n in mail_digests.fetch_digest_notices(
                session=session, digest=digest, subscriber_id=row.email_id
            )
        ]


def test_a_daily_digest_is_due_at_0830_on_working_days_only() -> None:
    assert due(at(date(2026, 2, 13), 8, 29)) == []
    assert due(at(date(2026, 2, 13))) == [("daily", date(2026, 2, 13), at(date(2026, 2, 13)))]
    for holiday in range(14, 23):  # Lunar New Year 2026: Saturday 14 to Sunday 22 February
        assert due(at(date(2026, 2, holiday), 10)) == []
    saturday = date(2025, 2, 8)  # 補行上班日: a working Saturday
    assert due(at(saturday, 9)) == [("daily", saturday, at(saturday))]


def test_the_weekly_digest_goes_on_tuesday_when_monday_is_a_holiday() -> None:
    monday, tuesday = date(2026, 4, 6), date(2026, 4, 7)  # 清明節 (observed) on the Monday
    assert due(at(monday, 9)) == []
    assert due(at(tuesday)) == [
        ("daily", tuesday, at(tuesday)),
        ("weekly", tuesday, at(tuesday)),
    ]
    assert due(at(date(2026, 4, 8))) == [("daily", date(2026, 4, 8), at(date(2026, 4, 8)))]


def test_the_daily_digest_after_lunar_new_year_covers_the_whole_holiday(db: Database) -> None:
    sid = subscriber(db, "daily@example.com", "daily")
    subscriber(db, "now@example.com", "immediately")
    release(db, "年前最後一則", at(date(2026, 2, 12), 15))
    assert run(db, at(date(2026, 2, 13))) == {"daily": 1}
    release(db, "封關日下午", at(date(2026, 2, 13), 15))
    release(db, "春節期間發布", at(date(2026, 2, 18), 11))
    release(db, "開工日清晨", at(date(2026, 2, 23), 7))
    for day in range(14, 23):
        assert run(db, at(date(2026, 2, day), 12)) == {}
    assert run(db, at(date(2026, 2, 23), 8, 29)) == {}
    assert run(db, at(date(2026, 2, 23), 8, 31)) == {
        "daily": 1
    }  # no weekly subscriber: no weekly digest
    release(db, "開工日上午", at(date(2026, 2, 23), 9))
    assert run(db, at(date(2026, 2, 24))) == {"daily": 1}
    first, second, third = digest_rows(db)
    assert {r.email_id for r in (first, second, third)} == {sid}
    assert [r.once_key for r in (first, second, third)] == [
        f"digest:daily:2026-02-13:{sid}",
        f"digest:daily:2026-02-23:{sid}",
        f"digest:daily:2026-02-24:{sid}",
    ]
    assert listed(db, first) == ["年前最後一則"]
    assert listed(db, second) == ["封關日下午", "春節期間發布", "開工日清晨"]
    assert listed(db, third) == ["開工日上午"]


def test_a_missed_day_is_covered_by_the_next_and_nothing_twice(db: Database) -> None:
    subscriber(db, "daily@example.com", "daily")
    run(db, at(date(2026, 3, 2)))
    release(db, "週一", at(date(2026, 3, 2), 10))
    release(db, "週二", at(date(2026, 3, 3), 10))  # the bot is down all of Tuesday
    run(db, at(date(2026, 3, 4), 9))
    [row] = digest_rows(db)
    assert listed(db, row) == ["週一", "週二"]
    [monday, wednesday] = [d for d in digests(db) if d.frequency == "daily"]
    assert wednesday.since == monday.cut_off == at(date(2026, 3, 2))
    assert wednesday.cut_off == at(date(2026, 3, 4))  # 08:30, not when the job happened to run


def test_weekly_subscribers_get_one_digest_on_the_weeks_first_working_day(db: Database) -> None:
    sid = subscriber(db, "weekly@example.com", "weekly")
    run(db, at(date(2026, 3, 30)))  # Monday: the previous week's weekly digest
    release(db, "清明前", at(date(2026, 4, 2), 10))
    assert run(db, at(date(2026, 4, 6), 9)) == {}  # Monday 6 April is a holiday
    assert run(db, at(date(2026, 4, 7), 9)) == {"weekly": 1}
    assert run(db, at(date(2026, 4, 8), 9)) == {}
    [row] = digest_rows(db)
    assert row.once_key == f"digest:weekly:2026-04-07:{sid}"
    assert listed(db, row) == ["清明前"]


def test_a_weekly_digest_missed_on_its_day_goes_on_the_next_working_day_once(
    db: Database,
) -> None:
    sid = subscriber(db, "weekly@example.com", "weekly")
    run(db, at(date(2026, 3, 2)))  # Monday 2 March: a weekly digest (empty)
    release(db, "一則", at(date(2026, 3, 4), 10))
    # the bot is down on Monday 9 March, back on Tuesday
    assert run(db, at(date(2026, 3, 10), 9)) == {"weekly": 1}
    assert run(db, at(date(2026, 3, 11), 9)) == {}
    [row] = digest_rows(db)
    assert row.once_key == f"digest:weekly:2026-03-09:{sid}"
    assert listed(db, row) == ["一則"]


def test_nothing_is_written_when_there_is_nothing_to_read(db: Database) -> None:
    subscriber(db, "daily@example.com", "daily")
    subscriber(db, "other@example.com", "daily", codes=("cns",))
    release(db, "只給 RPC", at(date(2026, 3, 2), 10), codes=("cns",))
    assert run(db, at(date(2026, 3, 3))) == {"daily": 1}
    assert [r.email_id for r in digest_rows(db)] != []
    assert run(db, at(date(2026, 3, 4))) == {"daily": 0}  # nothing released since
    assert len(digest_rows(db)) == 1
    assert [d.recipients for d in digests(db)] == [1, 0]


def test_no_digest_is_recorded_for_a_frequency_nobody_receives(db: Database) -> None:
    subscriber(db, "now@example.com", "immediately")
    release(db, "一則", at(date(2026, 3, 2), 10))
    assert run(db, at(date(2026, 3, 3))) == {}
    assert digests(db) == [] and digest_rows(db) == []


def test_the_first_digest_after_months_without_subscribers_looks_back_30_days_at_most(
    db: Database,
) -> None:
    gone = subscriber(db, "gone@example.com", "daily")
    run(db, at(date(2026, 1, 5)))
    db.call(lambda session: q.delete_subscriber(session, subscriber_id=gone, reason="test"))
    release(db, "二月", at(date(2026, 2, 2), 10))
    release(db, "三月", at(date(2026, 3, 20), 10))
    assert run(db, at(date(2026, 3, 2))) == {}
    subscriber(db, "new@example.com", "daily")
    assert run(db, at(date(2026, 3, 23))) == {"daily": 1}
    [row] = digest_rows(db)
    assert listed(db, row) == ["三月"]
    assert digests(db)[-1].since == at(date(2026, 3, 23)) - timedelta(days=30)


def test_a_restart_never_writes_a_digest_twice(db: Database, database_url: str) -> None:
    subscriber(db, "daily@example.com", "daily")
    release(db, "一則", at(date(2026, 3, 2), 10))
    assert run(db, at(date(2026, 3, 3))) == {"daily": 1}
    restarted = Database(database_url)
    try:
        assert run(restarted, at(date(2026, 3, 3), 8, 31)) == {}
        assert run(restarted, at(date(2026, 3, 3), 23)) == {}
    finally:
        restarted.dispose()
    assert len(digest_rows(db)) == 1 and len(digests(db)) == 1


def test_immediately_subscribers_get_no_digest_and_digest_subscribers_no_single_notice(
    db: Database,
) -> None:
    now_id = subscriber(db, "now@example.com", "immediately")
    daily_id = subscriber(db, "daily@example.com", "daily")
    notice_id = release(db, "一則", at(date(2026, 3, 2), 10))
    run(db, at(date(2026, 3, 3)))
    with db.reading() as session:
        rows = session.exec(select(Delivery).where(Delivery.channel == Channel.EMAIL.value)).all()
    single = [r.email_id for r in rows if r.notice_id == notice_id]
    assert single == [now_id]
    assert [r.email_id for r in digest_rows(db)] == [daily_id]


def parts(message: Message) -> tuple[str, str]:
    text, page = (p.get_content() for p in message.iter_parts())  # type: ignore[attr-defined]
    return text, page


async def test_the_digest_email_lists_each_notice_with_its_date_and_public_link(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    subscriber(db, "daily@example.com", "daily")
    public = release(db, "公開公告", at(date(2026, 3, 2), 10))
    private = release(db, "不公開公告", at(date(2026, 3, 2), 11), archive=False)
    run(db, at(date(2026, 3, 3)))
    while await mail_sender.send_due():
        pass
    run(db, at(date(2026, 3, 3), 12))
    while await mail_sender.send_due():
        pass
    [(rcpt, data)] = inbox.received
    message = email.message_from_bytes(data, policy=policy.default)
    assert rcpt == "daily@example.com"
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "新竹分局公告每日摘要（民國 115 年 3 月 3 日）"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8080/email/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"]
    for part in parts(message):
        assert "民國 115 年 3 月 2 日" in part
        assert "公開公告" in part and "不公開公告" in part
        assert f"http://127.0.0.1:8080/notices/{public}" in part
        assert f"/notices/{private}" not in part
        assert "http://127.0.0.1:8080/email/manage/" in part
    assert [r.status for r in digest_rows(db)] == ["sent"]
    assert [d.cut_off for d in digests(db)] == [at(date(2026, 3, 3))]


async def test_a_digest_whose_categories_were_dropped_is_not_sent(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    sid = subscriber(db, "daily@example.com", "daily", codes=("rpc", "cns"))
    release(db, "一則", at(date(2026, 3, 2), 10))
    run(db, at(date(2026, 3, 3)))

    def drop_rpc(session: Session) -> None:
        cns = [c.id for c in notices_q.fetch_categories(session=session) if c.code == "cns"]
        q.set_subscriber_categories(session=session, subscriber_id=sid, ids=cns)  # type: ignore[arg-type]

    db.call(drop_rpc)
    while await mail_sender.send_due():
        pass
    assert inbox.received == []
    [row] = digest_rows(db)
    assert (row.status, row.last_error) == ("failed", "nothing to send")
