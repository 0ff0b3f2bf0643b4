"""Forged or odd button data is answered once as a stale button and logged at INFO without a
traceback: never the generic error reply, never an ERROR record anyone could flood the log with.
"""

from __future__ import annotations

import logging

import pytest

from bot.edge import registry
from bot.edge.callbacks import MAX_INT, StaleButton, parse
from tests.conftest import ADMIN_ID
from tests.fakes import Call
from tests.harness import BotHarness

SORRY = "Sorry, something went wrong"
STALE = "This button is no longer valid"
HUGE = "9" * 20


def forged_for(prefix: str) -> list[str]:
    """Data no keyboard of the bot makes, under a declared prefix."""
    return [
        prefix,
        f"{prefix}:",
        f"{prefix}:a:close",
        f"{prefix}:²",
        f"{prefix}:show:٣",
        f"{prefix}:{HUGE}",
        f"{prefix}:t:{HUGE}",
        f"{prefix}:c:{HUGE}:{HUGE}",
        f"{prefix}:zzz:1",
        f"{prefix}:p:x:²:1",
        f"{prefix}:yes:-1",
        f"{prefix}:日本",
    ]


# The examples and each feature's verbs with a forged argument.
KNOWN_VERBS_FORGED = [
    "case:a:close",
    "case:a:close:",
    "case:list:open:²",
    f"case:list:open:{HUGE}",
    "case:show:P٢٠٢٦-00001",
    f"case:files:{HUGE}",
    "case:unit:P2026-00001",
    f"roles.revoke:{HUGE}",
    "roles.revoke:²",
    f"notice:c:{HUGE}",
    "notice:c:²",
    f"sub:t:{HUGE}",
    "sub:t:²",
    f"ncat:retire:{HUGE}",
    "ncat:yes:²",
    "ct:p:x:²:1",
    f"ct:af:{HUGE}:cause",
    f"ct:an:{HUGE}:open",
    "rep:kind:",
    "rep:info:²",
    "lang:",
    "forget:²",
    "nosuchprefix:1",
    "x",
]


def test_the_parser_takes_what_the_bot_makes() -> None:
    prefixes = ("case", "roles", "rep", "ct", "lang")
    assert parse("case:a:close:P2026-00042", prefixes).parts == ("a", "close", "P2026-00042")
    assert parse("rep:info:P2026-00001", prefixes).verb == "info"
    assert parse("ct:p:2026-1-007:3:10", prefixes).integer(2) == 3
    assert parse("lang:zh-TW", prefixes).text(0) == "zh-TW"
    assert parse("roles:page:5", prefixes).integer(1) == 5
    assert parse(f"roles:revoke:{MAX_INT}:1", prefixes).integer(1) == MAX_INT


@pytest.mark.parametrize(
    "data",
    [
        "",
        "case:",
        "case::1",
        "case:a:close ",
        "case:²",
        "case:list:open:٣",
        f"roles:page:{MAX_INT + 1}",
        f"roles:page:{HUGE}",
        "nosuch:1",
        "case:" + "a" * 70,
        "case:a\x00b",
        "case:日本",
    ],
)
def test_the_parser_refuses_forged_data(data: str) -> None:
    with pytest.raises(StaleButton):
        parse(data, ("case", "roles"))


def test_a_missing_or_non_numeric_argument_is_a_stale_button() -> None:
    parsed = parse("case:a:close", ("case",))
    with pytest.raises(StaleButton):
        parsed.text(2)
    with pytest.raises(StaleButton):
        parsed.integer(1)
    assert isinstance(StaleButton("x"), ValueError)


def answers_for(bot: BotHarness, query_id: str) -> list[Call]:
    return [
        call
        for call in bot.fake.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == query_id
    ]


async def settle(bot: BotHarness, user_id: int) -> None:
    """Every update of this chat so far is handled (one chat's updates run in order)."""
    before = len(bot.fake.calls("sendMessage", chat_id=user_id))
    bot.fake.send_text(user_id, "/privacy", language_code="en")
    await bot.wait_until(
        lambda: any(
            "Art. 8" in (call.text or "")
            for call in bot.fake.calls("sendMessage", chat_id=user_id)[before:]
        ),
        what="the answer to /privacy",
    )


async def test_forged_data_under_every_declared_prefix_is_answered_once_without_an_error(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await bot.say(ADMIN_ID, "/start", language_code="en")
    prefixes = [p for feature in registry.features() for p in feature.callback_prefixes]
    assert {"case", "roles", "rep", "ct", "notice", "sub", "lang"} <= set(prefixes)
    forged = [data for prefix in prefixes for data in forged_for(prefix)] + KNOWN_VERBS_FORGED
    presses = {}
    for data in forged:
        press = bot.fake.press_button(ADMIN_ID, data, language_code="en")
        presses[press["callback_query"]["id"]] = data
    await settle(bot, ADMIN_ID)
    for query_id, data in presses.items():
        answers = answers_for(bot, query_id)
        accepted = [a for a in answers if a.ok]
        assert len(accepted) == 1, (data, answers)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    texts = [m.get("text") or "" for m in bot.fake.sent(ADMIN_ID)]
    assert not any(SORRY in text for text in texts)
    stale_logs = [r for r in caplog.records if "stale button" in r.getMessage()]
    assert stale_logs and all(r.levelno == logging.INFO and not r.exc_info for r in stale_logs)


@pytest.mark.parametrize(
    "data",
    [
        "case:²",
        f"case:list:open:{HUGE}",
        "roles.revoke:²",
        f"notice:c:{HUGE}",
        "ct:p:x:²:1",
        "nosuchprefix:1",
        "sub:t:日本",
    ],
)
async def test_forged_data_gets_the_stale_answer_as_an_alert(bot: BotHarness, data: str) -> None:
    press = bot.fake.press_button(ADMIN_ID, data, language_code="en")
    await settle(bot, ADMIN_ID)
    answers = answers_for(bot, press["callback_query"]["id"])
    assert len(answers) == 1 and answers[0].ok, bot.fake.dump()
    assert answers[0].params.get("text", "").startswith(STALE)
    assert answers[0].params.get("show_alert") in (True, "true")


async def test_a_button_no_handler_takes_is_answered_as_stale(bot: BotHarness) -> None:
    press = bot.fake.press_button(ADMIN_ID, "roles:nosuchverb:1", language_code="en")
    await settle(bot, ADMIN_ID)
    answers = answers_for(bot, press["callback_query"]["id"])
    assert len(answers) == 1 and answers[0].ok, bot.fake.dump()
    assert answers[0].params.get("text", "").startswith(STALE)
