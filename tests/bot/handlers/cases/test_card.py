"""The case card: it opens in one message however long its texts and history (the rest comes
under "Full text"), dates as each reader reads them, the channel in words, and who filed
shown only to the secretariat (never an anonymous petitioner's account)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlmodel import select

from bot.cases.details import full_case
from bot.cases.lifecycle import act
from bot.handlers.cases.card import visible_length
from storage.models import Case, Person, Role
from storage.queries.cases import fetch_categories
from tests.bot.handlers.cases.helpers import (
    FIRM,
    IDENTITY_NOTE,
    INSPECTOR,
    NAME,
    PHONE,
    SECRETARY,
    assigned_case,
    roc,
    staff_and_case,
)
from tests.factories import TZ, do, file_on, person
from tests.harness import BotHarness


async def test_a_case_with_every_text_at_its_longest_still_opens_in_one_message(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)

    def lengthen(session):  # type: ignore[no-untyped-def]
        row = session.exec(select(Case)).one()
        row.subject, row.location, row.description = "商" * 500, "址" * 500, "述" * 4000
        session.add(row)

    bot.db.call(lengthen)
    day = date(2026, 11, 5)
    for _ in range(6):
        do(bot.db, number, "note", secretary, day, text="記" * 3500)
    do(bot.db, number, "reply", secretary, day, text="覆" * 3500)
    do(bot.db, number, "transfer", secretary, day, text="移" * 3500)
    view = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert number in view and "…" in view


async def test_staff_reading_chinese_see_roc_dates_in_the_list_the_card_and_its_history(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    [case] = bot.db.call(
        lambda session: list(session.exec(select(Case)).all())  # type: ignore[misc]
    )
    listing = await bot.say(SECRETARY, "/cases")
    assert f"<code>{number}</code>" in listing and f"期限 {roc(case.due_on)}" in listing
    card = await bot.say(SECRETARY, f"/case {number}")
    assert f"收件：{roc(date(2026, 11, 2))}　期限：{roc(case.due_on)}" in card
    assert f"{roc(date(2026, 11, 3))} 分案" in card  # the history line of the assignment
    for text in (listing, card):
        assert re.search(r"\d{4}-\d{2}-\d{2}", text) is None, text
    english = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert case.due_on.isoformat() in english


async def test_the_history_shows_local_dates_and_the_channel_in_words(bot: BotHarness) -> None:
    from datetime import datetime, time

    from bot.cases.lifecycle import act
    from tests.factories import TZ

    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    early = datetime.combine(date(2026, 11, 4), time(7), tzinfo=TZ)  # 23:00 UTC the day before
    bot.db.call(
        act,
        number=number,
        action="note",
        actor=secretary,
        today=date(2026, 11, 4),
        counting="working",
        text="early call",
        now=early,
    )
    view = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert "2026-11-04 Note → assigned early call" in view
    assert "Filed → received Telegram" in view


async def test_an_inspector_of_the_unit_never_sees_who_reported_on_any_path(
    bot: BotHarness,
) -> None:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(bot.db, FIRM, name="Chen Ya-ting")
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter, contact=("陳雅婷", "0912000111"))
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", replies=2)
    do(bot.db, filed.number, "ask", secretary, date(2026, 11, 3), text="Which floor?")
    await bot.press(FIRM, f"rep:info:{filed.number}")
    await bot.say(FIRM, "Third floor, near the escalator.")
    await bot.fake.async_wait_for("sendMessage", chat_id=INSPECTOR, count=2)
    await bot.say(INSPECTOR, f"/case {filed.number}", language_code="en")
    await bot.say(INSPECTOR, "/cases", language_code="en")
    for message in bot.fake.sent(INSPECTOR):
        text = message.get("text") or ""
        assert "陳雅婷" not in text and "0912000111" not in text and "Chen" not in text
        assert str(FIRM) not in text and IDENTITY_NOTE not in text
    assert "陳雅婷" in await bot.say(SECRETARY, f"/case {filed.number}", language_code="en")


async def test_the_secretariat_never_sees_the_telegram_id_of_an_anonymous_reporter(
    bot: BotHarness,
) -> None:
    number = staff_and_case(bot, anonymous=True)
    for language in ("en", "zh-hant"):
        view = await bot.say(SECRETARY, f"/case {number}", language_code=language)
        assert number in view
        assert "anonymous" in view or "匿名" in view
        assert str(FIRM) not in view and "(Telegram" not in view and "（Telegram" not in view
        assert "Chen" not in view
    named = file_on(
        bot.db, date(2026, 11, 2), reporter=person(bot.db, FIRM), contact=(NAME, PHONE)
    )
    view = await bot.say(SECRETARY, f"/case {named.number}", language_code="en")
    assert NAME in view and PHONE in view and str(FIRM) in view


def make_largest(bot: BotHarness, number: str) -> None:
    """Every field at its longest, the longest unit and category names, many events."""
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)

    def lengthen(session):  # type: ignore[no-untyped-def]
        row = session.exec(select(Case)).first()
        row.subject, row.location, row.description = "<" * 500, "&" * 500, "述" * 4000
        session.add(row)
        for someone in session.exec(select(Person)).all():
            someone.first_name = "名" * 64
            session.add(someone)

    bot.db.call(lengthen)
    day = date(2026, 11, 5)
    categories = bot.db.call(fetch_categories)
    longest = max(categories, key=lambda c: len(c.name_en) + len(c.name_zh))
    bot.db.call(
        act,
        number=number,
        action="category",
        actor=secretary,
        today=day,
        counting="working",
        category_code=longest.code,
    )
    for _ in range(12):
        do(bot.db, number, "ask", secretary, day, text="問" * 3500)
        do(bot.db, number, "info", person(bot.db, FIRM), day, text="答" * 3500)
        do(bot.db, number, "note", secretary, day, text="記" * 3500)
    do(bot.db, number, "extend", secretary, day, text="60 " + "延" * 3000)
    do(bot.db, number, "reply", secretary, day, text="覆" * 3500)
    do(bot.db, number, "transfer", secretary, day, text="移" * 3500)


async def test_the_largest_case_card_is_accepted_and_its_full_text_comes_by_a_more_button(
    bot: BotHarness,
) -> None:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter, contact=("名" * 100, "9" * 40))
    do(bot.db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
    make_largest(bot, filed.number)
    for language in ("zh-hant", "en"):
        view = await bot.say(SECRETARY, f"/case {filed.number}", language_code=language)
        assert filed.number in view and "名" * 100 in view
        assert visible_length(bot.fake.calls("sendMessage")[-1].params["text"]) > 3500
    assert all(call.ok for call in bot.fake.calls("sendMessage", chat_id=SECRETARY))
    data: str | None = bot.fake.button_data(SECRETARY, "Full text")
    pages = []
    while data is not None:
        pages.append(await bot.press(SECRETARY, data, language_code="en"))
        buttons = bot.fake.buttons(bot.fake.sent(SECRETARY)[-1])
        data = next((d for _, d in buttons if d and d.startswith("case:more:")), None)
    assert len(pages) > 10 and all(f"{len(pages)}" in page.splitlines()[0] for page in pages)
    assert all(call.ok for call in bot.fake.calls(chat_id=SECRETARY))
    whole = "".join(pages)
    assert whole.count("述") == 4000
    assert whole.count("覆") == whole.count("移") == 2 * 3500  # the text, and the history's note
    assert whole.count("&lt;") == 500 and whole.count("問") == 12 * 3500


def moment(at: datetime | None, lang: str) -> str:
    """A message's time as the history writes it: the reader's day (ROC in Chinese), HH:MM."""
    assert at is not None
    local = at.astimezone(TZ)
    day = roc(local.date()) if lang == "zh-TW" else local.date().isoformat()
    return f"{day} {local:%H:%M}"


def history_of(text: str, heading: str) -> list[str]:
    """The lines of a card or page after its history heading."""
    lines = text.splitlines()
    return lines[lines.index(heading) + 1 :]


async def test_the_history_lists_each_message_to_the_petitioner_with_its_state_and_time(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.outbox_sent()  # the assignment notice reaches the petitioner
    bot.fake.block(FIRM)
    await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    await bot.say(INSPECTOR, "經查該商品已下架，並已通知業者改正。", language_code="en")
    await bot.outbox_sent()  # the final reply, refused: the petitioner blocked the bot
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    details = bot.db.call(full_case, number=number, viewer=secretary)
    assigned, reply = details.messages
    assert (assigned.status, reply.status) == ("sent", "blocked") and reply.sent_at is None

    card = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    history = history_of(card, "<b>History</b>")
    sent = f"{moment(assigned.sent_at, 'en')} ✉️ to the petitioner: assignment notice, sent"
    blocked = (
        f"{moment(reply.queued_at, 'en')} ✉️ to the petitioner: final reply,"
        " not delivered (the petitioner blocked the bot)"
    )
    assert sent in history and blocked in history
    # in the order things happened: each message after the action that wrote it
    order = [
        next(i for i, line in enumerate(history) if words in line)
        for words in ("Assign →", sent, "Reply to the petitioner →", blocked)
    ]
    assert order == sorted(order)

    chinese = await bot.say(SECRETARY, f"/case {number}")
    history = history_of(chinese, "<b>處理紀錄</b>")
    assert f"{moment(assigned.sent_at, 'zh-TW')} ✉️ 給陳情人：已分派通知，已送出" in history
    assert (
        f"{moment(reply.queued_at, 'zh-TW')} ✉️ 給陳情人：最終回覆，未送達（陳情人已封鎖機器人）"
        in history
    )
    assert re.search(r"\d{4}-\d{2}-\d{2}", chinese) is None

    for lang, heading in (("en", "<b>History</b>"), ("zh-hant", "<b>處理紀錄</b>")):
        page = await bot.press(SECRETARY, f"case:more:{number}:0", language_code=lang)
        history = history_of(page, heading)
        assert len([line for line in history if "✉️" in line]) == 2
        assert page.count("✉️") == 2  # the messages are listed once, in the history
        undelivered = "by phone or letter" if lang == "en" else "改以電話或書面回覆"
        assert undelivered in page


async def test_a_message_not_yet_sent_is_listed_as_waiting_with_the_time_it_was_written(
    bot: BotHarness,
) -> None:
    await bot.quiet()  # no delivery worker: the assignment notice stays in the outbox
    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    (notice,) = bot.db.call(full_case, number=number, viewer=secretary).messages
    card = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    waiting = f"{moment(notice.queued_at, 'en')} ✉️ to the petitioner: assignment notice,"
    assert f"{waiting} waiting to be sent" in history_of(card, "<b>History</b>")
    chinese = await bot.say(SECRETARY, f"/case {number}")
    assert f"{moment(notice.queued_at, 'zh-TW')} ✉️ 給陳情人：已分派通知，待傳送" in chinese
