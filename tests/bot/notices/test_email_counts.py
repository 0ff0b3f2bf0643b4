"""E-mail beside Telegram in the counts staff read: a notice's status counts each channel (the
Telegram keys stay where they were in the JSON), /notices shows an e-mail line, the /notice
preview counts the addresses it reaches at once and in digests, and the monthly report has a
line for notices by e-mail and one for the digests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.handlers.notice_overview import status_line
from bot.mail.digests import write_due_digests
from bot.notices import publishing
from bot.notices.drafts import NoticeDraft, preview_draft
from bot.notices.report import build_report
from bot.notices.status import notice_status, recent_statuses
from storage.db import Database
from storage.models import Delivery
from storage.models.notices import Channel
from storage.queries import notices as notices_q
from tests.bot.mail.conftest import TWO_AT_ONCE_ONE_DAILY, add_subscribers
from tests.factories import add_firm

TZ = ZoneInfo("Asia/Taipei")
RELEASED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Taipei, Monday 2 March


def category_ids(session: Session, *codes: str) -> list[int]:
    return [c.id for c in notices_q.fetch_categories(session=session) if c.code in codes]  # type: ignore[misc]


def setup(db: Database) -> int:
    """Two chats and three addresses (two at once, one daily) follow `cns`; a notice to it."""
    with db.transaction() as session:
        add_firm(session, 21, ["cns"])
        add_firm(session, 22, ["cns"])
        add_subscribers(
            session,
            TWO_AT_ONCE_ONE_DAILY,
            codes=("cns",),
            now=RELEASED,
        )
        return publishing.publish(
            session=session, title="Recall", body="B", codes=["cns"], created_by_id=None,
            now=RELEASED,
        ).notice_id  # fmt: skip


def mark(db: Database, notice_id: int, channel: str, statuses: tuple[str, ...]) -> None:
    with db.transaction() as session:
        rows = session.exec(
            select(Delivery)
            .where(Delivery.notice_id == notice_id, Delivery.channel == channel)
            .order_by(Delivery.id)  # type: ignore[arg-type]
        ).all()
        for row, status in zip(rows, statuses, strict=True):
            row.status = status
            session.add(row)


def test_a_notices_status_counts_each_channel_and_keeps_the_telegram_keys(db: Database) -> None:
    notice_id = setup(db)
    mark(db, notice_id, Channel.TELEGRAM.value, ("sent", "pending"))
    mark(db, notice_id, Channel.EMAIL.value, ("sent", "failed"))
    status = db.call(notice_status, notice_id=notice_id)
    found = status.as_json()
    assert (found["total"], found["sent"], found["pending"]) == (2, 1, 1)
    assert found["telegram"] == {"total": 2, **status.counts}
    assert found["email"] == {
        "total": 2, "pending": 0, "retrying": 0, "sent": 1, "blocked": 0, "failed": 1,
        "unknown": 0,
    }  # fmt: skip
    assert (status.done, status.percent) == (3, 75)
    line = status_line(status, "en")
    assert "2 recipients: 1 sent, 1 pending" in line
    assert "2 by e-mail: 1 sent, 0 pending, 0 retrying, 1 failed, 0 unknown" in line
    assert "電子郵件 2：已寄出 1、待寄 0、重試中 0、失敗 1、結果不明 0" in status_line(
        status, "zh-TW"
    )
    [recent] = db.call(recent_statuses)
    assert recent.email == status.email


def test_a_notice_without_email_shows_no_email_line(db: Database) -> None:
    with db.transaction() as session:
        add_firm(session, 31, ["rpc"])
        notice_id = publishing.publish(
            session=session, title="Only chats", body="B", codes=["rpc"], created_by_id=None
        ).notice_id
    status = db.call(notice_status, notice_id=notice_id)
    assert status.email_total == 0 and "e-mail" not in status_line(status, "en")


def test_the_preview_counts_addresses_reached_at_once_and_in_digests(db: Database) -> None:
    setup(db)
    ids = db.call(lambda session: category_ids(session, "cns"))
    draft = NoticeDraft(ids, "T", "B")
    preview = db.call(preview_draft, draft=draft, language="en", default_language="zh-TW")
    assert (preview.recipients, preview.email_now, preview.email_digest) == (2, 2, 1)
    other = NoticeDraft(db.call(lambda session: category_ids(session, "rpc")), "T", "B")
    preview = db.call(preview_draft, draft=other, language="en", default_language="zh-TW")
    assert (preview.email_now, preview.email_digest) == (0, 0)


def test_the_monthly_report_has_lines_for_notices_by_email_and_for_digests(
    db: Database,
) -> None:
    notice_id = setup(db)
    mark(db, notice_id, Channel.TELEGRAM.value, ("sent", "blocked"))
    mark(db, notice_id, Channel.EMAIL.value, ("sent", "unknown"))
    db.call(
        lambda session: write_due_digests(
            session, now=datetime(2026, 3, 3, 8, 30, tzinfo=TZ), tz=TZ
        )
    )
    with db.transaction() as session:
        report = build_report(session=session, year=2026, month=3, tz=TZ, today=date(2026, 3, 31))
    lines = {line.key: line for line in report.lines}
    assert list(lines) == ["notices", "notices_email", "digests_email", "reminders"]
    notices, by_email, digests = lines["notices"], lines["notices_email"], lines["digests_email"]
    assert (notices.released, notices.recipients, notices.delivered, notices.blocked) == (
        1, 2, 1, 1,
    )  # fmt: skip
    assert (by_email.released, by_email.recipients, by_email.delivered, by_email.unknown) == (
        1, 2, 1, 1,
    )  # fmt: skip
    assert (digests.released, digests.recipients, digests.open) == (1, 1, 1)
