"""/duties through the fake Bot API: the list, 「完成」 → a note → a photo (sent as a photo) and a
file → 「完成」 records the occurrence done with both file ids; another unit's inspector is
refused (audited), a firm gets the polite refusal, a button pressed again is stale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from bot.duties.records import bring_in
from bot.handlers import duties as handler
from storage.models import AuditEntry, DutyEvidence, DutyOccurrence, Role
from tests.bot.duties.shared import lift_check
from tests.factories import person
from tests.harness import BotHarness

STAFF = 7501
OTHER = 7502
FIRM = 7503
NOW = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # 10:00 in Taipei, Monday 1 February 2027


@pytest.fixture(autouse=True)
def on_the_first_of_february(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "utcnow", lambda: NOW)


def january(session: Session) -> int:
    """A monthly duty of the first section, the only one running; its January occurrence."""
    duty = lift_check(session)
    bring_in(session, first=date(2027, 1, 1), last=date(2027, 1, 31))
    found = session.exec(
        select(DutyOccurrence.id).where(col(DutyOccurrence.duty_id) == duty.id)
    ).one()
    assert found is not None
    return found


async def test_a_duty_done_with_a_note_a_photo_and_a_file(bot: BotHarness) -> None:
    person(bot.db, STAFF, Role.INSPECTOR, unit="sec1")
    occurrence = bot.db.call(january)
    listed = await bot.say(STAFF, "/duties")
    assert "<b>逾期</b>" in listed and f"#{occurrence} 116/01/08 電梯檢查（第一課）" in listed
    assert "116/02/03 電梯檢查" in listed  # February's, before Lunar New Year
    data = bot.fake.button_data(STAFF, f"完成 #{occurrence}")
    assert data == f"dt:do:{occurrence}"
    assert "請輸入辦理情形" in await bot.press(STAFF, data)
    assert "請傳送照片或檔案" in await bot.say(STAFF, "電梯及 AED 均正常，已拍照")
    bot.fake.send_photo(STAFF, "lift-photo", caption=None)
    await bot.wait_until(lambda: "第 1 個附件" in bot.fake.last_text(STAFF))
    bot.fake.send_document(STAFF, "保養紀錄.pdf", b"%PDF-1.4 log", file_id="log-1")
    await bot.wait_until(lambda: "第 2 個附件" in bot.fake.last_text(STAFF))
    saved = await bot.press(STAFF, f"dt:ok:{occurrence}")
    assert "已登錄完成" in saved and "116/02/01" in saved and "附件 2 個" in saved
    row = bot.db.call(lambda session: session.get(DutyOccurrence, occurrence))
    assert row is not None and row.done_on == date(2027, 2, 1)
    # who: the staff member's name as Telegram gives it (the fake user's "Test"), and the person
    assert row.done_by == "Test" and row.done_by_person_id is not None
    assert row.note == "電梯及 AED 均正常，已拍照"
    kept = bot.db.call(
        lambda session: [
            (e.kind, e.file_id, e.file_name)
            for e in session.exec(select(DutyEvidence).order_by(col(DutyEvidence.id)))
        ]
    )
    assert kept[0][0] == "photo" and kept[0][1].startswith("lift-photo")  # its largest size
    assert kept[1] == ("document", "log-1", "保養紀錄.pdf")
    again = bot.fake.press_button(STAFF, f"dt:ok:{occurrence}")
    await bot.fake.async_wait_for(
        lambda _c: any(
            str(c.params.get("callback_query_id")) == again["callback_query"]["id"]
            for c in bot.fake.calls("answerCallbackQuery")
        )
    )
    stale = [
        c
        for c in bot.fake.calls("answerCallbackQuery")
        if str(c.params.get("callback_query_id")) == again["callback_query"]["id"]
    ]
    assert len(stale) == 1 and "已失效" in stale[0].params["text"]
    assert "近 30 日完成" in await bot.say(STAFF, "/duties")
    assert "116/02/01 由 Test 完成" in bot.fake.last_text(STAFF)


async def test_another_units_inspector_and_a_firm_are_refused(bot: BotHarness) -> None:
    person(bot.db, OTHER, Role.INSPECTOR, unit="sec2")
    occurrence = bot.db.call(january)
    listed = await bot.say(OTHER, "/duties")
    assert "電梯檢查" in listed and "完成 #" not in str(
        bot.fake.sent(OTHER)[-1].get("reply_markup")
    )
    pressed = bot.fake.press_button(OTHER, f"dt:do:{occurrence}")
    await bot.fake.async_wait_for(
        lambda _c: any(
            str(c.params.get("callback_query_id")) == pressed["callback_query"]["id"]
            for c in bot.fake.calls("answerCallbackQuery")
        )
    )
    (answer,) = [
        c
        for c in bot.fake.calls("answerCallbackQuery")
        if str(c.params.get("callback_query_id")) == pressed["callback_query"]["id"]
    ]
    assert "只有該單位同仁或秘書室" in answer.params["text"]
    refused = bot.db.call(
        lambda session: [
            (a.actor_telegram_id, a.allowed)
            for a in session.exec(select(AuditEntry).where(col(AuditEntry.action) == "duty.done"))
        ]
    )
    assert refused == [(OTHER, False)]
    assert "權限" in await bot.say(FIRM, "/duties") or "無法" in bot.fake.last_text(FIRM)
    row = bot.db.call(lambda session: session.get(DutyOccurrence, occurrence))
    assert row is not None and row.done_on is None
