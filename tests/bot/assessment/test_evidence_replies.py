"""服務遞送 per unit: each unit's final replies given in the period, delivered in Telegram (the
latest copy), given by phone or letter, refused (blocked or failed), still waiting or without a
chat, and the share reaching the petitioner, each equal to a count made here by a plain loop
over the rows; a unit that replied to nobody shows zeros."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

from sqlmodel import Session, col, select

from bot.assessment.evidence import (
    SOURCES,
    Evidence,
    build_evidence,
    notices_source,
    write_evidence,
)
from bot.assessment.evidence_replies import replies_source
from bot.cases.actions import Action
from bot.cases.intake import Logged, intake_case
from bot.cases.lifecycle import act
from kernel.periods import Period
from storage.db import Database
from storage.models import Case, Delivery, Notice, OutboxText, Role
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.case_messages import REPLY_KEY
from storage.queries.outbox.results import DeliveryResult, record_delivery_results
from storage.queries.people import PersonView, fetch_units
from tests.bot.cases.test_intake import draft
from tests.factories import TZ, do, file_on, person

H1 = Period(2026, half=1)
TODAY = date(2026, 8, 3)
SECRETARY = 7000


def at(day: date) -> datetime:
    return datetime.combine(day, time(16), tzinfo=TZ)


def latest_reply_row(session: Session, number: str) -> Delivery:
    row = session.exec(
        select(Delivery)
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
        .join(Case, col(Case.id) == OutboxText.case_id)
        .where(col(Case.number) == number, col(OutboxText.key) == REPLY_KEY)
        .order_by(col(Delivery.id).desc())
    ).first()
    assert row is not None
    return row


def settle(db: Database, number: str, status: DeliveryStatus, day: date) -> None:
    """What the delivery worker records for the latest reply of case `number`."""

    def run(session: Session) -> None:
        row = latest_reply_row(session, number)
        assert row.id is not None
        sent = at(day) if status is DeliveryStatus.SENT else None
        record_delivery_results(
            session=session,
            results=[DeliveryResult(row.id, status, 1, at(day), sent_at=sent)],
        )

    db.call(run)


def in_chat(
    db: Database, secretary: PersonView, unit: str, replied: date, *, reporter: int | None
) -> str:
    """A case filed in chat (by `reporter`, or by a monitor gone from the chat), assigned to
    `unit` and given its final reply on `replied`."""
    who = person(db, reporter) if reporter else None
    filed = file_on(db, date(replied.year, replied.month, 1), reporter=who)
    do(db, filed.number, Action.ASSIGN, secretary, replied, unit=unit)
    do(db, filed.number, Action.REPLY, secretary, replied, text="經查已下架，謝謝您。")
    return filed.number


def off_chat(db: Database, secretary: PersonView, unit: str, how: str, replied: date) -> str:
    """A case logged by /intake, assigned to `unit`, answered by `how` on `replied`."""
    logged = db.call(
        intake_case,
        draft=draft(channel="letter" if how == "letter" else "phone", received_on=""),
        actor=secretary,
        now=at(date(replied.year, replied.month, 1)),
        tz=TZ,
        reply_days=30,
        counting="working",
    )
    assert isinstance(logged, Logged)
    do(db, logged.number, Action.ASSIGN, secretary, replied, unit=unit)
    db.call(
        act,
        number=logged.number,
        action=Action.REPLY,
        actor=secretary,
        today=replied,
        counting="working",
        text="已依來函內容查處完畢。",
        reply_how=how,
        now=at(replied),
    )
    return logged.number


def seeded(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    sent = in_chat(db, secretary, "sec1", date(2026, 3, 10), reporter=7001)
    settle(db, sent, DeliveryStatus.SENT, date(2026, 3, 10))
    blocked = in_chat(db, secretary, "sec1", date(2026, 4, 2), reporter=7002)
    settle(db, blocked, DeliveryStatus.BLOCKED, date(2026, 4, 2))
    again = in_chat(db, secretary, "sec1", date(2026, 5, 5), reporter=7003)
    settle(db, again, DeliveryStatus.FAILED, date(2026, 5, 5))
    do(db, again, Action.REPLY, secretary, date(2026, 5, 7), text="補充回覆：已下架。")
    settle(db, again, DeliveryStatus.SENT, date(2026, 5, 7))  # a later copy arrived
    off_chat(db, secretary, "sec1", "letter", date(2026, 5, 20))
    off_chat(db, secretary, "sec2", "phone", date(2026, 2, 16))
    failed = in_chat(db, secretary, "sec2", date(2026, 6, 3), reporter=7004)
    settle(db, failed, DeliveryStatus.FAILED, date(2026, 6, 3))
    in_chat(db, secretary, "sec2", date(2026, 6, 29), reporter=7005)  # still in the outbox
    in_chat(db, secretary, "sec2", date(2026, 6, 10), reporter=None)  # nobody to send to
    late = in_chat(db, secretary, "sec2", date(2026, 7, 2), reporter=7006)  # the next half
    settle(db, late, DeliveryStatus.SENT, date(2026, 7, 2))
    earlier = in_chat(db, secretary, "sec1", date(2025, 12, 29), reporter=7007)  # the last year
    settle(db, earlier, DeliveryStatus.SENT, date(2025, 12, 29))
    unanswered = file_on(db, date(2026, 6, 1), reporter=person(db, 7008)).number
    do(db, unanswered, Action.ASSIGN, secretary, date(2026, 6, 2), unit="sec3")


def counted(session: Session, first: date, last: date) -> dict[str, list[object]]:
    """The figures of every unit, counted one case at a time."""
    units = {u.id: u.code for u in fetch_units(session=session)}
    found: dict[str, list[object]] = {code: [0, 0, 0, 0, 0] for code in units.values()}
    texts = session.exec(select(OutboxText)).all()
    notices = session.exec(select(Notice)).all()
    deliveries = session.exec(select(Delivery)).all()
    for case in session.exec(select(Case)).all():
        if case.unit_id is None or case.replied_on is None:
            continue
        if not first <= case.replied_on <= last:
            continue
        figures = found[units[case.unit_id]]
        figures[0] += 1  # type: ignore[operator]
        if case.reply_channel is not None:
            figures[2] += 1  # type: ignore[operator]
            continue
        latest: Delivery | None = None
        for text in texts:
            if text.case_id != case.id or text.key != REPLY_KEY or not text.public:
                continue
            for notice in notices:
                if notice.kind != "case_news" or notice.ref_id != text.id:
                    continue
                for row in deliveries:
                    if row.notice_id == notice.id and (latest is None or row.id > latest.id):  # type: ignore[operator]
                        latest = row
        if latest is not None and latest.status == "sent":
            figures[1] += 1  # type: ignore[operator]
        elif latest is not None and latest.status in ("blocked", "failed"):
            figures[3] += 1  # type: ignore[operator]
        else:
            figures[4] += 1  # type: ignore[operator]
    for figures in found.values():
        given = figures[0]
        reached = figures[1] + figures[2]  # type: ignore[operator]
        figures.append(reached / given if given else None)  # type: ignore[operator]
    return found


def replies_evidence(db: Database, language: str) -> Evidence:
    """The first half-year's evidence from the replies' source alone."""
    return db.call(
        build_evidence,
        period=H1,
        language=language,
        today=TODAY,
        pass_mark=80,
        tz=TZ,
        sources=[replies_source],
    )


def test_each_units_replies_equal_a_count_of_the_rows(db: Database, tmp_path: Path) -> None:
    seeded(db)
    evidence = replies_evidence(db, "zh-TW")
    (section,) = evidence.sections
    assert (section.dimension, section.aspect, section.note) == ("delivery", "replies", None)
    expected = db.call(lambda session: counted(session, H1.first, H1.last))
    assert section.per_unit == expected
    assert section.per_unit["sec1"] == [4, 2, 1, 1, 0, 0.75]
    assert section.per_unit["sec2"] == [4, 0, 1, 1, 2, 0.25]
    assert section.per_unit["sec3"] == [0, 0, 0, 0, 0, None]  # assigned, not yet answered

    (_, path) = write_evidence(evidence, tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[3:]
    heading = "服務遞送：服務便捷（各單位最終回覆送達陳情人情形）"
    third = {r[2]: r[3] for r in rows if r[0] == heading and r[1] == "第三課"}
    assert third == {
        "最終回覆案件數": "0",
        "以 Telegram 送達": "0",
        "以電話、書面或電子郵件回覆": "0",
        "Telegram 未能送達（封鎖或失敗）": "0",
        "傳送中、未確認或無對話": "0",
        "送達陳情人比率（%）": "",
    }
    first = {r[2]: r[3] for r in rows if r[0] == heading and r[1] == "第一課"}
    assert first["送達陳情人比率（%）"] == "75.0" and first["以 Telegram 送達"] == "2"


def test_the_source_follows_the_notices_and_says_when_nobody_was_answered(
    db: Database,
) -> None:
    assert SOURCES.index(replies_source) == SOURCES.index(notices_source) + 1
    evidence = replies_evidence(db, "en")
    (section,) = evidence.sections
    assert section.note == "No unit gave a final reply in the period."
    units = db.call(fetch_units)
    assert section.per_unit == {u.code: [0, 0, 0, 0, 0, None] for u in units}
