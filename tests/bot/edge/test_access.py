"""A refusal is audited with the command or the button's data, never a message's text: the text
of the message a button sits on is the bot's own (a case card with a reporter's name and phone).
"""

from __future__ import annotations

from sqlmodel import col, select

from storage.models import AuditEntry
from tests.harness import BotHarness

FIRM = 8201
NAME = "林美華"


def refusals(bot: BotHarness, user_id: int) -> list[AuditEntry]:
    return bot.db.call(
        lambda session: list(
            session.exec(
                select(AuditEntry).where(
                    AuditEntry.actor_telegram_id == user_id, col(AuditEntry.allowed).is_(False)
                )
            ).all()
        )
    )


async def test_a_refused_button_on_a_message_with_a_name_keeps_no_name_in_the_audit(
    bot: BotHarness,
) -> None:
    welcome = await bot.say(FIRM, "/start", language_code="en", first_name=NAME)
    assert NAME in welcome  # the message the button sits on names the person
    message_id = bot.fake.sent(FIRM)[-1]["message_id"]
    press = bot.fake.press_button(FIRM, "roles:page:1", message_id=message_id)
    await bot.fake.async_wait_for("answerCallbackQuery")
    answer = bot.fake.calls("answerCallbackQuery")[-1]
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    assert "permission" in answer.params.get("text", "") or "權限" in answer.params.get("text", "")
    entries = refusals(bot, FIRM)
    assert len(entries) == 1
    row = " ".join(str(v) for v in entries[0].model_dump().values())
    assert NAME not in row and "Hello" not in row and "歡迎" not in row
    assert entries[0].detail == "roles:page:1"


async def test_a_refused_command_keeps_the_command_alone(bot: BotHarness) -> None:
    await bot.say(FIRM, f"/roles {NAME} 0912000111", language_code="en")
    await bot.say(FIRM, "/case@bsmi_desk_test_bot P2026-00042", language_code="en")
    entries = refusals(bot, FIRM)
    assert [e.detail for e in entries] == ["/roles", "/case"]
