"""Staff in chat: the /notice conversation (attachment, schedule, cancel), /notices progress,
and firms refused every staff command and button (/categories among them)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlmodel import select

from kernel.clock import utcnow
from storage.models import AuditEntry, Category, Delivery, Notice, Role
from storage.queries.people import grant_role, upsert_person
from tests.bot.handlers.subscribers import category_id
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM, OTHER_FIRM, INSPECTOR = 6001, 6002, 6100


async def draft(bot: BotHarness, user: int, code: str, title: str, body: str) -> None:
    """Walk /notice up to the attachment question."""
    await bot.say(user, "/notice", language_code="en")
    await bot.press(user, f"notice:c:{category_id(bot.db, code)}", language_code="en")
    await bot.press(user, "notice:next", language_code="en")
    await bot.say(user, title, language_code="en")
    await bot.say(user, body, language_code="en")


async def wait_until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def notices(bot: BotHarness) -> list[Notice]:
    with bot.db.transaction() as session:
        return list(session.exec(select(Notice)).all())


async def test_a_firm_is_refused_every_staff_command_and_button_and_nothing_changes(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    for command in ("/notice", "/notices", "/categories"):
        refused = await bot.say(FIRM, command, language_code="en")
        assert "do not have permission" in refused
    cns = category_id(bot.db, "cns")
    for data in ("notice:send", f"notice:c:{cns}", f"ncat:retire:{cns}"):
        bot.fake.press_button(FIRM, data, language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) >= 3, timeout=5
    )
    answers = [c.params.get("text", "") for c in bot.fake.calls("answerCallbackQuery")]
    assert all("do not have permission" in a for a in answers)
    assert notices(bot) == []
    with bot.db.transaction() as session:
        assert session.get(Category, cns).retired_at is None  # type: ignore[union-attr]
        denied = session.exec(select(AuditEntry).where(AuditEntry.allowed == False)).all()  # noqa: E712
    assert len(denied) == 6


async def test_an_inspector_attaches_a_file_sees_the_preview_and_subscribers_get_both(
    bot: BotHarness,
) -> None:
    with bot.db.transaction() as session:
        person = upsert_person(
            session=session, telegram_id=INSPECTOR, first_name="Insp", username=None
        )
        grant_role(session=session, person_id=person.id, role=Role.INSPECTOR)
    await bot.say(FIRM, "/start sub-market", language_code="en")
    await draft(bot, INSPECTOR, "market", "Heater recall", "Stop selling model H-1.")
    bot.fake.send_document(INSPECTOR, "recall.pdf", b"%PDF recall list", language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: any("recipients: <b>1</b>" in (c.text or "") for c in bot.fake.calls()),
        timeout=5,
    )
    previews = [c for c in bot.fake.calls("sendDocument", chat_id=INSPECTOR) if c.ok]
    assert len(previews) == 1  # the attachment is part of the preview
    await bot.press(INSPECTOR, "notice:send", language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: any(c.ok for c in bot.fake.calls("sendDocument", chat_id=FIRM)), timeout=10
    )
    text = [
        c.text for c in bot.fake.calls("sendMessage", chat_id=FIRM) if "Heater" in (c.text or "")
    ]
    assert len(text) == 1 and "📎 Attachment: recall.pdf" in text[0]
    [document] = [c for c in bot.fake.calls("sendDocument", chat_id=FIRM) if c.ok]
    assert bot.fake.file_bytes(document.params["document"]) == b"%PDF recall list"


async def test_a_scheduled_notice_survives_a_restart_and_goes_out_when_due(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/start sub-events", language_code="en")
    await draft(bot, ADMIN_ID, "events", "Friday talk", "Join us on Friday.")
    await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
    await bot.press(ADMIN_ID, "notice:schedule", language_code="en")
    bad = await bot.say(ADMIN_ID, "next friday", language_code="en")
    assert "YYYY-MM-DD HH:MM" in bad
    past = await bot.say(ADMIN_ID, "2020-01-01 09:00", language_code="en")
    assert "has passed" in past
    far = await bot.say(ADMIN_ID, "9999-12-31 09:00", language_code="en")
    assert "within a year" in far  # asked again: another time can cure it
    later = (utcnow() + timedelta(days=3)).astimezone(bot.settings.tz).strftime("%Y-%m-%d %H:%M")
    scheduled = await bot.say(ADMIN_ID, later, language_code="en")
    assert "is scheduled for" in scheduled and later in scheduled
    [notice] = notices(bot)
    assert notice.state == "scheduled"
    await bot.restart()
    with bot.db.transaction() as session:  # time passes: the notice is now due
        row = session.get(Notice, notice.id)
        assert row is not None
        row.scheduled_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    await bot.fake.async_wait_for(
        lambda _c: any(
            "<b>Friday talk</b>" in (c.text or "") for c in bot.fake.calls(chat_id=FIRM)
        ),
        timeout=10,
    )
    [notice] = notices(bot)
    assert notice.state == "released" and notice.recipients == 1


async def test_cancel_leaves_no_notice_behind(bot: BotHarness) -> None:
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    await draft(bot, ADMIN_ID, "cns", "Draft", "Never sent.")
    await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
    cancelled = await bot.press(ADMIN_ID, "notice:cancel", language_code="en")
    assert "nothing was sent" in cancelled
    assert notices(bot) == []
    stale = bot.fake.press_button(ADMIN_ID, "notice:send", language_code="en")
    assert stale
    await bot.fake.async_wait_for(
        lambda _c: any(
            "draft is closed" in (c.params.get("text") or "")
            for c in bot.fake.calls("answerCallbackQuery")
        ),
        timeout=5,
    )
    assert notices(bot) == []


async def test_next_without_a_category_is_answered_and_an_empty_title_asked_again(
    bot: BotHarness,
) -> None:
    await bot.say(ADMIN_ID, "/notice", language_code="en")
    bot.fake.press_button(ADMIN_ID, "notice:next", language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: any(
            "at least one category" in (c.params.get("text") or "")
            for c in bot.fake.calls("answerCallbackQuery")
        ),
        timeout=5,
    )
    await bot.press(ADMIN_ID, f"notice:c:{category_id(bot.db, 'cns')}", language_code="en")
    await bot.press(ADMIN_ID, "notice:next", language_code="en")
    empty = await bot.say(ADMIN_ID, "   ", language_code="en")
    assert "title cannot be empty" in empty
    body = await bot.say(ADMIN_ID, "A title", language_code="en")
    assert "Send the notice text" in body


async def test_notices_shows_counts_by_status_and_progress(bot: BotHarness) -> None:
    await bot.say(FIRM, "/start sub-rpc", language_code="en")
    await bot.say(OTHER_FIRM, "/start sub-rpc", language_code="en")
    bot.fake.block(OTHER_FIRM)
    await draft(bot, ADMIN_ID, "rpc", "Forms", "New forms.")
    await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
    await bot.press(ADMIN_ID, "notice:send", language_code="en")

    def finished() -> bool:
        with bot.db.transaction() as session:
            rows = session.exec(select(Delivery)).all()
        return len(rows) == 2 and all(r.status in ("sent", "blocked") for r in rows)

    await wait_until(finished)
    listing = await bot.say(ADMIN_ID, "/notices", language_code="en")
    assert "Forms" in listing
    assert "2 recipients: 1 sent, 0 pending, 0 retrying, 1 blocked, 0 failed; 100% done" in listing


async def test_the_preview_is_byte_for_byte_what_each_subscriber_receives_in_their_language(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    await bot.say(OTHER_FIRM, "/start sub-cns", language_code="zh-hant")
    title = "Tea & <cake>"
    body = "\n\n".join(
        f"Part {i}: a&b <x> https://example.com/?a=1&b=2 " + "word " * 150 for i in range(8)
    )
    await draft(bot, ADMIN_ID, "cns", title, body)
    before = len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
    confirm = await bot.say(ADMIN_ID, "/skip", language_code="en", replies=2 + 2 * 2 + 1)
    assert "recipients: <b>2</b>" in confirm
    preview = [c.text or "" for c in bot.fake.calls("sendMessage", chat_id=ADMIN_ID)[before:]]
    assert "1 recipient(s) who read Chinese" in preview[3]
    english, chinese = preview[1:3], preview[4:6]
    await bot.press(ADMIN_ID, "notice:send", language_code="en")

    def received(chat: int) -> list[str]:
        return [
            c.text or ""
            for c in bot.fake.calls("sendMessage", chat_id=chat)
            if c.ok and "Tea &amp; &lt;cake&gt;" in (c.text or "")
        ]

    await wait_until(lambda: len(received(FIRM)) == 2 and len(received(OTHER_FIRM)) == 2)
    assert received(FIRM) == english
    assert received(OTHER_FIRM) == chinese
    assert "類別：正字標記" in chinese[0]


async def test_a_category_retired_while_scheduling_ends_the_draft_instead_of_asking_again(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/start sub-origin", language_code="en")
    await draft(bot, ADMIN_ID, "origin", "Origin rules", "New rules.")
    await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
    await bot.press(ADMIN_ID, "notice:schedule", language_code="en")
    with bot.db.transaction() as session:  # meanwhile another admin retires the category
        category = session.get(Category, category_id(bot.db, "origin"))
        assert category is not None
        category.retired_at = utcnow()
        session.add(category)
    later = (utcnow() + timedelta(days=1)).astimezone(bot.settings.tz).strftime("%Y-%m-%d %H:%M")
    refused = await bot.say(ADMIN_ID, later, language_code="en", replies=2)
    assert "nothing was sent" in refused
    assert "is retired" in (bot.fake.sent(ADMIN_ID)[-2].get("text") or "")
    before = len(bot.fake.sent(ADMIN_ID))
    bot.fake.send_text(ADMIN_ID, later, language_code="en")
    await asyncio.sleep(1.0)
    assert len(bot.fake.sent(ADMIN_ID)) == before  # the draft is closed: no second refusal
    assert notices(bot) == []


async def test_the_largest_notice_preview_fits_telegram_in_every_message(bot: BotHarness) -> None:
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    await bot.say(OTHER_FIRM, "/start sub-cns", language_code="zh-hant")
    title = ("<&> " * 50)[:200]
    body = ("&<>\"' " * 700)[:4096]  # the longest message a person can type, all escaped
    await draft(bot, ADMIN_ID, "cns", title, body)
    name = ("附件&<" * 60)[:255] + ".pdf"
    bot.fake.send_document(ADMIN_ID, name, b"%PDF", language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: any("recipients: <b>2</b>" in (c.text or "") for c in bot.fake.calls()),
        timeout=10,
    )
    sent = bot.fake.calls("sendMessage", chat_id=ADMIN_ID)
    assert sent and all(c.ok for c in sent), [c.description for c in sent if not c.ok]
    assert all(c.ok for c in bot.fake.calls("sendDocument", chat_id=ADMIN_ID))
    parts = [c.text or "" for c in sent if "&lt;&amp;&gt;" in (c.text or "")]
    assert len(parts) >= 4  # several parts in each of the two languages


def test_the_delivery_pause_line_writes_roc_in_chinese_and_says_no_lease() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.handlers.notice_overview import pause_line
    from bot.notices.status import Pause

    since = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 in Taipei
    silent = Pause(since=since, reason="", silent=True)
    chinese = pause_line(silent, "zh-TW", ZoneInfo("Asia/Taipei"))
    assert "自 115/12/01 09:30 起停止" in chinese
    assert "遞送程序已逾時未回報運作狀態" in chinese and "租約" not in chinese
    english = pause_line(silent, "en", ZoneInfo("Asia/Taipei"))
    assert "since 2026-12-01 09:30" in english and "lease" not in english


def has_button(bot: BotHarness, label: str) -> bool:
    try:
        return bot.fake.button_data(ADMIN_ID, label) == "notice:archive"
    except AssertionError:
        return False


async def test_the_preview_switches_a_notice_off_the_public_pages_and_back_with_one_button(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    published = []
    for presses in (0, 1, 2):
        await draft(bot, ADMIN_ID, "cns", f"Notice {presses}", "Body.")
        confirm = await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
        assert "appears on the branch's public pages" in confirm
        assert bot.fake.button_data(ADMIN_ID, "🌐 On the public pages") == "notice:archive"
        for press in range(presses):
            bot.fake.press_button(ADMIN_ID, "notice:archive", language_code="en")
            shown = "🔒 Not public" if press % 2 == 0 else "🌐 On the public pages"
            await wait_until(lambda shown=shown: has_button(bot, shown))  # the keyboard edited
        await bot.press(ADMIN_ID, "notice:send", language_code="en", replies=1)
        published.append(f"Notice {presses}")
    with bot.db.transaction() as session:
        found = {n.title: n.public for n in session.exec(select(Notice)).all()}
    assert found == {"Notice 0": True, "Notice 1": False, "Notice 2": True}
    with bot.db.transaction() as session:
        audit = session.exec(
            select(AuditEntry.detail).where(AuditEntry.action == "notice.publish")
        ).all()
    assert sorted(" no-archive " in d for d in audit) == [False, False, True]
