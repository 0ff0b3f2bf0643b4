"""/training step by step through the fake Bot API: a wrong answer is one sentence and the same
step, 「💾 儲存」 records the session as `training add` would (audited), 「取消」 records nothing,
and a button of an ended conversation is stale; a firm is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from bot.handlers import training as handler
from storage.models import AuditEntry, Role, TrainingSession
from tests.factories import person
from tests.harness import BotHarness

STAFF = 7601
FIRM = 7602
NOW = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


@pytest.fixture(autouse=True)
def in_march(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "utcnow", lambda: NOW)


async def test_a_session_recorded_step_by_step(bot: BotHarness) -> None:
    person(bot.db, STAFF, Role.INSPECTOR, unit="sec1")
    assert "辦理日期" in await bot.say(STAFF, "/training")
    assert "不可晚於今天" in await bot.say(STAFF, "2027-03-16")
    assert "不是有效的日期" in await bot.say(STAFF, "上週三")
    assert "辦理單位" in await bot.say(STAFF, "116/03/12")
    assert bot.fake.button_data(STAFF, "第一課") == "trn:u:sec1"
    assert "訓練名稱" in await bot.press(STAFF, "trn:u:sec1")
    assert "時數" in await bot.say(STAFF, "CNS 新制說明會")
    assert "半小時" in await bot.say(STAFF, "1.25")
    assert "參訓人次" in await bot.say(STAFF, "2")
    assert "對象" in await bot.say(STAFF, "35")
    preview = await bot.press(STAFF, "trn:a:firms")
    assert "116/03/12 第一課" in preview and "2 小時，35 人次（業者）" in preview
    saved = await bot.press(STAFF, "trn:ok")
    assert "已登錄教育訓練" in saved and "CNS 新制說明會" in saved
    rows = bot.db.call(
        lambda session: [
            (r.held_on, r.hours, r.attendees, r.audience)
            for r in session.exec(select(TrainingSession))
        ]
    )
    assert rows == [(date(2027, 3, 12), 2.0, 35, "firms")]
    audited = bot.db.call(
        lambda session: session.exec(
            select(AuditEntry.actor_telegram_id).where(col(AuditEntry.action) == "training.add")
        ).all()
    )
    assert audited == [STAFF]
    again = bot.fake.press_button(STAFF, "trn:ok")
    await bot.fake.async_wait_for(
        lambda _c: any(
            str(c.params.get("callback_query_id")) == again["callback_query"]["id"]
            for c in bot.fake.calls("answerCallbackQuery")
        )
    )
    assert bot.db.call(lambda session: len(session.exec(select(TrainingSession)).all())) == 1


async def test_cancel_records_nothing_and_a_firm_is_refused(bot: BotHarness) -> None:
    person(bot.db, STAFF, Role.INSPECTOR, unit="sec1")
    await bot.say(STAFF, "/training")
    assert "辦理單位" in await bot.press(STAFF, "trn:today")
    assert "已取消" in await bot.say(STAFF, "/cancel")
    assert "沒有使用這項功能的權限" in await bot.say(FIRM, "/training")
    assert bot.db.call(lambda session: session.exec(select(TrainingSession)).all()) == []
