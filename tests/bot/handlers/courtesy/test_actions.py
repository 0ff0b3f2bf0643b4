"""/actions and /action in chat (bot/handlers/courtesy/actions.py): corrective actions as cards
and pages, a field edited by its text (and the wait ended or lapsed), steps by buttons, refusals
to inspectors and firms, forged ids and buttons."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

import pytest

from courtesy import actions as action_rules
from courtesy import scoring
from kernel.clock import utcnow
from storage.db import Database
from storage.models import (
    ActionStatus,
    CourtesyAction,
    Role,
)
from storage.queries.courtesy import fetch_action_events, fetch_test_views
from tests.bot.handlers.courtesy.helpers import FIRM, answer_to, prepare, press_all, staff
from tests.conftest import ADMIN_ID
from tests.courtesy.plans import FAILING, INSPECTOR, MADE, SECRETARY, failed_action
from tests.harness import BotHarness


async def test_the_secretariat_fills_in_an_action_and_closes_it_with_a_written_verification(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    en = {"language_code": "en"}

    card = await bot.say(SECRETARY, f"/action {action}", **en)
    assert f"Corrective and preventive action #{action}" in card and "open" in card
    assert "What went wrong: Total 60 (C), below the standard; lost: Tone and attitude −15" in card
    assert "語氣" not in card
    refusal = await answer_to(bot, SECRETARY, f"ct:an:{action}:open")
    assert "still missing: cause, action plan, owner, due date" in refusal

    async def fill(field: str, value: str) -> str:
        asked = await bot.press(SECRETARY, f"ct:af:{action}:{field}", **en)
        assert f"of corrective and preventive action #{action}" in asked
        return await bot.say(SECRETARY, value, **en)

    await fill("cause", "Rushed between two calls")
    await fill("plan", "Briefing on the greeting and the hand-over")
    assert "at most 64" in await fill("owner", "x" * 65)
    await bot.say(SECRETARY, "Chief Lin", **en)
    assert "is not a date" in await fill("due_on", "next week")
    card = await bot.say(SECRETARY, "2026-03-31", **en)
    assert "due 2026-03-31" in card and "then mark it planned" in card
    assert await answer_to(bot, SECRETARY, f"ct:an:{action}:open") == (
        f"Corrective and preventive action #{action} is now: planned."
    )
    await bot.fake.async_wait_for(
        lambda _c: "then mark it implemented" in bot.fake.last_text(SECRETARY), timeout=5
    )

    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "planned" and row.owner == "Chief Lin"
    stale = await answer_to(bot, SECRETARY, f"ct:an:{action}:open")
    assert "out of date" in stale

    await fill("done_on", "2026-03-20")
    await answer_to(bot, SECRETARY, f"ct:an:{action}:planned")
    refused = await answer_to(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "cannot be verified or closed" in refused
    await fill("verification", "Listened to three calls; greeting and hand-over now correct")
    card = await fill("verified_by", "Section chief Wang")
    assert "Section chief Wang" in card
    await answer_to(bot, SECRETARY, f"ct:an:{action}:implemented")
    await answer_to(bot, SECRETARY, f"ct:an:{action}:verified")
    await bot.fake.async_wait_for(
        lambda _c: "This action is closed." in bot.fake.last_text(SECRETARY), timeout=5
    )
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "closed" and row.closed_at is not None
        steps = [e.to_status for e in fetch_action_events(session=session, action_id=action)]
    assert steps == ["open", "planned", "implemented", "verified", "closed"]
    # a colleague reading Chinese sees the card's dates in ROC, as every chat message writes them
    colleague = SECRETARY + 50
    staff(db, colleague, language="zh-TW", role=Role.SECRETARIAT)
    chinese = await bot.say(colleague, f"/action {action}", language_code="zh-hant")
    assert "115/03/31" in chinese and "115/03/20" in chinese and "2026-03-" not in chinese
    # A button of an older card cannot change the closed record.
    assert "out of date" in await answer_to(bot, SECRETARY, f"ct:af:{action}:verified_by")
    bot.fake.send_text(SECRETARY, "Somebody else", language_code="en")
    await asyncio.sleep(0.5)
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.verified_by == "Section chief Wang"


async def test_action_commands_and_buttons_are_refused_to_inspectors_and_firms(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    for user in (INSPECTOR, FIRM):
        assert "沒有使用這項功能的權限" in await bot.say(user, f"/action {action}")
        assert "permission" in await answer_to(bot, user, f"ct:an:{action}:open")
        assert "permission" in await answer_to(bot, user, f"ct:af:{action}:cause")
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "open" and row.cause is None
    assert "/action NUMBER" in await bot.say(ADMIN_ID, "/action abc", language_code="en")
    assert "no corrective and preventive action #999" in await bot.say(
        ADMIN_ID, "/action 999", language_code="en"
    )


async def test_a_long_list_of_open_actions_comes_in_several_whole_pages(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    with db.transaction() as session:
        codes = [v.code for v in fetch_test_views(session=session) if v.template == "business"]
    opened = [failed_action(db, code) for code in codes[:30]]
    texts = [await bot.say(ADMIN_ID, "/actions")]
    for _ in opened:  # at most a page per action
        buttons = bot.fake.buttons(bot.fake.sent(ADMIN_ID)[-1])
        later = [data for label, data in buttons if "▶" in label]
        if not later:
            break
        assert later[0] is not None
        texts.append(await bot.press(ADMIN_ID, later[0]))
    assert len(texts) >= 2 and all(len(text) <= 4096 for text in texts)
    joined = "\n\n".join(texts)
    assert all(f"#{action} " in joined for action in opened)


async def test_the_secretariat_closes_an_action_in_chat_after_its_retest_passes(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    retest = next(v.code for v in db.call(fetch_test_views) if v.retest_of_action_id == action)
    filled = action_rules.ActionChange(
        cause="c", plan="p", owner="o", due_on=date(2026, 3, 1), done_on=date(2026, 3, 1)
    )
    db.call(
        action_rules.update_action,
        action_id=action,
        change=filled,
        to=ActionStatus.IMPLEMENTED,
        actor="test",
    )
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    refused = await answer_to(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "cannot be verified or closed" in refused
    full = dict(FAILING, tone=20, accuracy=15, handling=10, closing=10)
    db.call(
        scoring.record_result,
        now=MADE,
        code=retest,
        points=full,
        pass_mark=80,
        recorded_by="test",
    )
    card = await bot.say(SECRETARY, f"/action {action}", language_code="en")
    assert f"Retest: {retest}" in card and "100 points, passed" in card
    assert "now: verified" in await answer_to(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "now: closed" in await answer_to(bot, SECRETARY, f"ct:an:{action}:verified")
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "closed" and row.verification is None


async def test_another_command_ends_the_wait_for_an_action_fields_text(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    await bot.say(ADMIN_ID, f"/action {action}", language_code="en")
    asked = await bot.press(ADMIN_ID, f"ct:af:{action}:cause", language_code="en")
    assert "any other command stops" in asked
    await bot.say(ADMIN_ID, "/actions", language_code="en")
    bot.fake.send_text(ADMIN_ID, "this was meant for something else", language_code="en")
    await asyncio.sleep(0.5)
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.cause is None


async def test_a_fields_prompt_lapses_and_a_later_text_is_not_stored(
    bot: BotHarness, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.edge import waiting
    from bot.handlers.courtesy.actions import ACTION_MINUTES

    code, _ = prepare(db)
    action = failed_action(db, code)
    await bot.say(ADMIN_ID, f"/action {action}", language_code="en")
    asked = await bot.press(ADMIN_ID, f"ct:af:{action}:cause", language_code="en")
    assert f"lapses after {ACTION_MINUTES} minutes" in asked
    later = utcnow() + timedelta(minutes=ACTION_MINUTES + 1)
    monkeypatch.setattr(waiting, "utcnow", lambda: later)
    reply = await bot.say(ADMIN_ID, "the script was never read", language_code="en")
    assert f"lapsed after {ACTION_MINUTES} minutes" in reply and f"/action {action}" in reply
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.cause is None


def _fill_every_long_field(db: Database, action: int) -> dict[str, str]:
    """Every text field of the action at its limit, each with characters HTML escapes."""
    texts = {
        field: (f"{field} <&> " + "長" * 2000)[:2000]
        for field in ("correction", "cause", "plan", "evidence", "verification")
    }
    texts["owner"] = "O" * 64
    texts["verified_by"] = "V" * 64
    db.call(
        action_rules.update_action,
        action_id=action,
        change=action_rules.ActionChange(**texts, due_on=date(2026, 3, 1)),
        actor="test",
    )
    return texts


async def test_an_action_card_with_every_long_field_full_fits_and_each_field_can_be_read_whole(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    texts = _fill_every_long_field(db, action)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    card = await bot.say(SECRETARY, f"/action {action}", language_code="en")
    sent = bot.fake.calls("sendMessage", chat_id=SECRETARY)
    assert sent and all(c.ok for c in sent), [c.description for c in sent]
    assert f"Corrective and preventive action #{action}" in card and "cause &lt;&amp;&gt;" in card
    buttons = dict((data, label) for label, data in bot.fake.buttons(bot.fake.sent(SECRETARY)[-1]))
    for field, text in texts.items():
        if len(text) <= 64:
            assert text in card
            continue
        shown = f"ct:as:{action}:{field}"
        assert shown in buttons, (field, buttons)
        whole = await bot.press(SECRETARY, shown, language_code="en")
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in whole
    # A field edited in chat shows the refreshed card, which fits as well.
    await bot.press(SECRETARY, f"ct:af:{action}:cause", language_code="en")
    await bot.say(SECRETARY, "C" * 2000, language_code="en")
    assert all(c.ok for c in bot.fake.calls("sendMessage", chat_id=SECRETARY))
    assert all(c.ok for c in bot.fake.calls("answerCallbackQuery"))


def _copy_action(db: Database, action: int, copies: int) -> list[int]:
    """`copies` more open actions like `action` (same call, person and what went wrong)."""
    with db.transaction() as session:
        original = session.get(CourtesyAction, action)
        assert original is not None
        made = [
            CourtesyAction(
                test_id=original.test_id,
                staff_id=original.staff_id,
                nonconformity=original.nonconformity,
                points_lost=dict(original.points_lost),
                repeat_count=n,
                retest_test_id=original.retest_test_id,
            )
            for n in range(copies)
        ]
        session.add_all(made)
        session.flush()
        return [a.id or 0 for a in made]


async def test_many_open_actions_come_as_pages_of_one_message_each(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    first = failed_action(db, code)
    opened = [first, *_copy_action(db, first, 199)]
    before = len(bot.fake.sent(ADMIN_ID))
    page = await bot.say(ADMIN_ID, "/actions", language_code="en")
    await asyncio.sleep(0.3)
    assert len(bot.fake.sent(ADMIN_ID)) == before + 1  # one message, not one per 4,096
    seen = [page]
    for _ in range(len(opened)):
        later = [d for label, d in bot.fake.buttons(bot.fake.sent(ADMIN_ID)[-1]) if "▶" in label]
        if not later:
            break
        assert later[0] is not None
        seen.append(await bot.press(ADMIN_ID, later[0], language_code="en"))
    assert len(seen) >= 2
    assert all(c.ok for c in bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
    assert all(c.ok for c in bot.fake.calls("editMessageText"))
    joined = "\n\n".join(seen)
    assert all(f"#{action} " in joined for action in opened)


async def test_inspectors_see_counts_of_open_actions_and_the_secretariat_the_names(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    with db.transaction() as session:
        called = next(v for v in fetch_test_views(session=session) if v.code == code)
    counts = await bot.say(INSPECTOR, "/actions", language_code="en")
    assert "1 open corrective and preventive action" in counts
    assert called.staff_name not in counts and code not in counts
    assert f"#{action} " not in counts
    named = await bot.say(ADMIN_ID, "/actions", language_code="en")
    assert called.staff_name in named and code in named and f"#{action} " in named


async def test_forged_or_odd_action_ids_and_buttons_get_one_clear_line_and_no_error(
    bot: BotHarness, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    code, _ = prepare(db)
    action = failed_action(db, code)
    huge = "99999999999999999999999"
    with caplog.at_level(logging.INFO):
        for text in ("/action ²", f"/action {huge}", "/action ١", "/action -1"):
            reply = await bot.say(ADMIN_ID, text, language_code="en")
            assert reply.startswith(
                ("Usage: /action NUMBER", "There is no corrective and preventive action")
            )
        forged = [
            f"ct:an:{action}:",
            "ct:an:²:open",
            f"ct:an:{huge}:open",
            f"ct:af:{huge}:cause",
            f"ct:af:{action}:colour",
            "ct:af:١:cause",
            f"ct:as:{huge}:cause",
            f"ct:ap:{huge}",
            "ct:ap:²",
        ]
        sent_before = len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
        answers = await press_all(bot, ADMIN_ID, forged)
    assert len(answers) == len(forged) and all(a.ok for a in answers)
    texts = [a.params.get("text") or "" for a in answers]
    assert all(
        "no longer valid" in x or "no corrective and preventive action" in x for x in texts
    ), texts
    assert len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID)) == sent_before
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "open" and row.cause is None
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
