"""Invites, /roles and the server-side role check, end to end through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from kernel.clock import utcnow
from storage.models import AuditEntry, Invite, Role
from storage.queries.people import fetch_person_view
from tests.conftest import ADMIN_ID
from tests.factories import person
from tests.fakes import Call
from tests.harness import BotHarness

FIRM = 3001
NEWCOMER = 3002
LATECOMER = 3003


def invite_code(reply: str) -> str:
    return reply.split("join-")[1].split()[0]


async def settle(bot: BotHarness, user_id: int) -> None:
    """Wait until every update of this chat so far is handled: the bot handles one chat's
    updates in order, so the answer to a /privacy sent now comes after all of them."""

    def privacy(call: Call) -> bool:
        return call.method == "sendMessage" and "Art. 8" in (call.text or "")

    before = len([call for call in bot.fake.calls(chat_id=user_id) if privacy(call)])
    bot.fake.send_text(user_id, "/privacy", language_code="en")
    await bot.fake.async_wait_for(privacy, chat_id=user_id, count=before + 1)


async def test_an_invite_is_used_once_and_refused_the_second_time(bot: BotHarness) -> None:
    reply = await bot.say(ADMIN_ID, "/invite inspector sec2", language_code="en")
    assert "valid for 72 hours" in reply
    code = invite_code(reply)
    granted = await bot.say(NEWCOMER, f"/start join-{code}", language_code="en")
    assert "Inspector" in granted and "Second Section" in granted
    view = bot.db.call(fetch_person_view, telegram_id=NEWCOMER)
    assert view is not None and Role.INSPECTOR in view.roles and len(view.unit_ids) == 1
    again = await bot.say(LATECOMER, f"/start join-{code}", language_code="en")
    assert "already been used" in again
    latecomer = bot.db.call(fetch_person_view, telegram_id=LATECOMER)
    assert latecomer is not None and latecomer.roles == frozenset()


async def test_an_invite_is_refused_after_72_hours(bot: BotHarness) -> None:
    code = invite_code(await bot.say(ADMIN_ID, "/invite secretariat", language_code="en"))

    def age(session) -> None:  # type: ignore[no-untyped-def]
        invite = session.exec(select(Invite).where(Invite.code == code)).one()
        invite.expires_at = utcnow() - timedelta(minutes=1)
        invite.created_at = invite.expires_at - timedelta(hours=72)
        session.add(invite)

    bot.db.call(age)
    reply = await bot.say(NEWCOMER, f"/start join-{code}", language_code="zh-hant")
    assert "72 小時" in reply
    view = bot.db.call(fetch_person_view, telegram_id=NEWCOMER)
    assert view is not None and view.roles == frozenset()


async def test_an_unknown_invite_code_gets_a_clear_refusal(bot: BotHarness) -> None:
    reply = await bot.say(NEWCOMER, "/start join-nosuchcode", language_code="en")
    assert reply == "This invite link was not found. Please check that the link is complete."


async def test_a_firm_calling_an_admin_command_is_refused_and_audited(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/invite admin", language_code="en")
    assert reply.startswith("Sorry, you do not have permission")
    entries = bot.db.call(
        lambda session: session.exec(
            select(AuditEntry).where(AuditEntry.actor_telegram_id == FIRM)
        ).all()
    )
    assert [(e.action, e.allowed) for e in entries] == [("denied:invite", False)]
    assert bot.db.call(lambda session: session.exec(select(Invite)).all()) == []


async def test_an_admin_sees_and_revokes_roles(bot: BotHarness) -> None:
    code = invite_code(await bot.say(ADMIN_ID, "/invite monitor", language_code="en"))
    await bot.say(NEWCOMER, f"/start join-{code}", language_code="en", first_name="Lin")
    listing = await bot.say(ADMIN_ID, "/roles", language_code="en")
    assert "Volunteer product monitor: Lin" in listing
    data = bot.fake.button_data(ADMIN_ID, "Revoke")
    edited = await bot.press(ADMIN_ID, data, language_code="en")
    assert "Revoked the role" in edited
    view = bot.db.call(fetch_person_view, telegram_id=NEWCOMER)
    assert view is not None and view.roles == frozenset()
    await bot.fake.async_wait_for("deleteMyCommands", timeout=5)
    deleted = bot.fake.calls("deleteMyCommands")[-1]
    assert deleted.params["scope"] == {"type": "chat", "chat_id": NEWCOMER}


async def test_a_firm_pressing_a_revoke_button_changes_nothing(bot: BotHarness) -> None:
    code = invite_code(await bot.say(ADMIN_ID, "/invite monitor", language_code="en"))
    await bot.say(NEWCOMER, f"/start join-{code}", language_code="en")
    await bot.say(ADMIN_ID, "/roles", language_code="en")
    data = bot.fake.button_data(ADMIN_ID, "Revoke")
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(FIRM, data, language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) > before, timeout=5
    )
    view = bot.db.call(fetch_person_view, telegram_id=NEWCOMER)
    assert view is not None and Role.MONITOR in view.roles


async def test_a_stale_revoke_button_gets_one_polite_answer_and_no_error(bot: BotHarness) -> None:
    code = invite_code(await bot.say(ADMIN_ID, "/invite monitor", language_code="en"))
    await bot.say(NEWCOMER, f"/start join-{code}", language_code="en")
    await bot.say(ADMIN_ID, "/roles", language_code="en")
    data = bot.fake.button_data(ADMIN_ID, "Revoke")
    assert "Revoked the role" in await bot.press(ADMIN_ID, data, language_code="en")
    again = bot.fake.press_button(ADMIN_ID, data, language_code="en")
    await settle(bot, ADMIN_ID)
    query_id = again["callback_query"]["id"]
    answers = [
        call
        for call in bot.fake.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == query_id
    ]
    assert len(answers) == 1, bot.fake.dump()
    assert answers[0].ok
    assert answers[0].params["text"] == "That role was already revoked or does not exist."
    assert answers[0].params.get("show_alert") in (True, "true")
    texts = [m.get("text") or "" for m in bot.fake.sent(ADMIN_ID)]
    assert not any(text.startswith("Sorry, something went wrong") for text in texts)
    revocations = bot.db.call(
        lambda session: session.exec(
            select(AuditEntry).where(AuditEntry.action == "role.revoke")
        ).all()
    )
    assert [(e.actor_telegram_id, e.target) for e in revocations] == [(ADMIN_ID, str(NEWCOMER))]


def holder_name(index: int) -> str:
    """A long display name (Telegram allows 64 characters), sorted by its number."""
    return f"監視員{index:03d} " + "林" * 50


async def test_roles_with_110_holders_page_and_one_on_page_5_can_be_revoked(
    bot: BotHarness,
) -> None:
    for index in range(110):
        person(bot.db, 20_000 + index, Role.MONITOR, name=holder_name(index))
    first = await bot.say(ADMIN_ID, "/roles", language_code="en")
    assert holder_name(0) in first and holder_name(20) not in first
    assert "1/6" in first
    pages = [first]
    for _ in range(5):
        pages.append(await bot.press(ADMIN_ID, bot.fake.button_data(ADMIN_ID, "▶")))
    assert [f"{n}/6" in page for n, page in enumerate(pages, start=1)] == [True] * 6
    shown = [i for i in range(110) if any(holder_name(i) in page for page in pages)]
    assert shown == list(range(110))
    rejected = [c for c in bot.fake.calls() if not c.ok and c.method != "getUpdates"]
    assert rejected == [], bot.fake.dump()
    page_5 = await bot.press(ADMIN_ID, bot.fake.button_data(ADMIN_ID, "◀"))
    assert "5/6" in page_5 and holder_name(85) in page_5
    target = bot.db.call(fetch_person_view, telegram_id=20_085)
    assert target is not None and Role.MONITOR in target.roles
    data = bot.fake.button_data(ADMIN_ID, holder_name(85)[:20])
    edited = await bot.press(ADMIN_ID, data, language_code="en")
    assert "Revoked the role" in edited and "5/6" in edited
    assert holder_name(86) in edited
    target = bot.db.call(fetch_person_view, telegram_id=20_085)
    assert target is not None and target.roles == frozenset()
    assert all(c.ok for c in bot.fake.calls() if c.method != "getUpdates"), bot.fake.dump()
