"""Staff in chat: /notice takes an uploaded list of 統一編號 at the audience step (invalid
numbers refused with their lines, nothing sent), the preview says how many are unreached,
each chat gets the notice once; /notices shows the secretariat the certificates no chat holds."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.notices.registry import import_register
from kernel.clock import utcnow
from storage.models import Category, Notice, Person, Role
from storage.queries.people import grant_role, upsert_person
from tests.harness import BotHarness

SECRETARY, INSPECTOR = 6301, 6302
LINKED = {6311: "83045210", 6312: "27505051"}
UNLINKED = ["72979298", "82608285", "73935045"]


def staff(bot: BotHarness) -> None:
    with bot.db.transaction() as session:
        for telegram_id, role in ((SECRETARY, Role.SECRETARIAT), (INSPECTOR, Role.INSPECTOR)):
            person = upsert_person(
                session=session, telegram_id=telegram_id, first_name="Staff", username=None
            )
            grant_role(session=session, person_id=person.id, role=role)


def texts(bot: BotHarness, chat: int) -> list[str]:
    return [
        c.text or ""
        for c in bot.fake.calls("sendMessage", chat_id=chat)
        if c.ok and "Power banks" in (c.text or "")
    ]


def rpc(bot: BotHarness) -> int:
    with bot.db.transaction() as session:
        found = session.exec(select(Category).where(Category.code == "rpc")).one()
        assert found.id is not None
        return found.id


async def test_a_list_of_five_numbers_two_linked_reaches_two_chats_once_each(
    bot: BotHarness,
) -> None:
    staff(bot)
    await bot.say(6311, "/start sub-rpc", language_code="en")  # also subscribed to rpc
    await bot.say(6312, "/start", language_code="en")
    await bot.say(6313, "/start", language_code="en")  # neither subscribed nor listed

    def link(session: Session) -> None:
        for telegram_id, tax_id in LINKED.items():
            person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).one()
            person.tax_id = tax_id
            session.add(person)

    bot.db.call(link)
    await bot.say(SECRETARY, "/notice", language_code="en")
    await bot.press(SECRETARY, "notice:list", language_code="en")
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_document(
        SECRETARY, "firms.txt", b"83045210\n12345678\n27505051\n", language_code="en"
    )
    refused = await bot.wait_reply(SECRETARY, before=before)
    assert "Line 2:" in refused and "12345678" in refused and "not sent" in refused
    # A stray quote and a blank first line each gave the generic "try again", for ever.
    for slip, said in (
        (b'tax_id,name\n83045210,"A\n' + b"x" * 200_000 + b"\n", "Line 2 starts a quote"),
        (b"\ntax_id,tax_id\n83045210,27505051\n", "Line 2 (the header) names the column"),
    ):
        before = len(bot.fake.sent(SECRETARY))
        bot.fake.send_document(SECRETARY, "firms.csv", slip, language_code="en")
        assert said in await bot.wait_reply(SECRETARY, before=before)
    listed = "\n".join([*LINKED.values(), *UNLINKED]).encode()
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_document(SECRETARY, "firms.txt", listed, language_code="en")
    received = await bot.wait_reply(SECRETARY, before=before)
    assert "5 tax IDs, 2 with a linked chat (2 chats), 3 without" in received
    await bot.press(SECRETARY, f"notice:c:{rpc(bot)}", language_code="en")
    await bot.press(SECRETARY, "notice:next", language_code="en")
    await bot.say(SECRETARY, "Regulated list change", language_code="en")
    await bot.say(SECRETARY, "Power banks are now regulated.", language_code="en")
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_text(SECRETARY, "/skip", language_code="en")
    await bot.wait_until(
        lambda: any("Not reached: 3" in (c.get("text") or "") for c in bot.fake.sent(SECRETARY)),
        what="the preview with the unreached count",
    )
    assert any(
        "recipients: <b>2</b>" in (c.get("text") or "") for c in bot.fake.sent(SECRETARY)[before:]
    )
    await bot.press(SECRETARY, "notice:send", language_code="en")
    await bot.wait_until(
        lambda: all(texts(bot, chat) for chat in LINKED), what="both linked chats served"
    )
    assert [len(texts(bot, chat)) for chat in (*LINKED, 6313)] == [1, 1, 0]


async def test_notices_shows_the_secretariat_certificates_no_chat_can_be_told_about(
    bot: BotHarness,
) -> None:
    staff(bot)
    tz = bot.settings.tz
    soon = (utcnow().astimezone(tz).date() + timedelta(days=20)).isoformat()
    text = f"tax_id,kind,number,product,expires_on\n{UNLINKED[0]},cns,C-404,安全帽,{soon}\n"
    bot.db.call(import_register, text=text, replace=False, days=(7,), tz=tz, now=utcnow())
    shown = await bot.say(SECRETARY, "/notices", language_code="en")
    assert "cannot notify" in shown and "C-404" in shown and UNLINKED[0] in shown
    inspector = await bot.say(INSPECTOR, "/notices", language_code="en")
    assert "C-404" not in inspector


async def test_a_notice_sent_only_to_a_list_says_so_and_offers_no_unsubscribe(
    bot: BotHarness,
) -> None:
    """No empty 「類別：」 line, and no /unsubscribe that would not stop such a notice; the
    preview speaks of 收件人, who never subscribed."""
    staff(bot)
    zh = {"language_code": "zh-hant"}
    for chat in LINKED:
        await bot.say(chat, "/start", **zh)

    def link(session: Session) -> None:
        for telegram_id, tax_id in LINKED.items():
            person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).one()
            person.tax_id = tax_id
            session.add(person)

    bot.db.call(link)
    await bot.say(SECRETARY, "/notice", **zh)
    await bot.press(SECRETARY, "notice:list", **zh)
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_document(SECRETARY, "firms.txt", "\n".join(LINKED.values()).encode(), **zh)
    await bot.wait_reply(SECRETARY, before=before)
    await bot.press(SECRETARY, "notice:next", **zh)
    await bot.say(SECRETARY, "行動電源列管", **zh)
    await bot.say(SECRETARY, "Power banks 自即日起列管。", **zh)
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_text(SECRETARY, "/skip", **zh)
    await bot.wait_until(
        lambda: any(
            "以上為收件人將收到的內容" in (c.get("text") or "")
            for c in bot.fake.sent(SECRETARY)[before:]
        ),
        what="the confirmation prompt",
    )
    preview = "\n".join(c.get("text") or "" for c in bot.fake.sent(SECRETARY)[before:])
    assert "訂閱者" not in preview and "收件人將收到下列訊息" in preview
    await bot.press(SECRETARY, "notice:send", **zh)
    await bot.wait_until(
        lambda: all(texts(bot, chat) for chat in LINKED), what="both linked chats served"
    )
    for chat in LINKED:
        [received] = texts(bot, chat)
        assert "本公告依統一編號寄送予貴公司" in received
        assert "類別：" not in received and "/unsubscribe" not in received


async def test_a_list_no_chat_holds_is_refused_at_send_and_no_notice_is_made(
    bot: BotHarness,
) -> None:
    # It was "sent" to 0 recipients.
    staff(bot)
    await bot.say(SECRETARY, "/notice", language_code="en")
    await bot.press(SECRETARY, "notice:list", language_code="en")
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_document(
        SECRETARY, "firms.txt", "\n".join(UNLINKED).encode(), language_code="en"
    )
    received = await bot.wait_reply(SECRETARY, before=before)
    assert "3 without" in received
    await bot.press(SECRETARY, "notice:next", language_code="en")
    await bot.say(SECRETARY, "Regulated list change", language_code="en")
    await bot.say(SECRETARY, "Power banks are now regulated.", language_code="en")
    before = len(bot.fake.sent(SECRETARY))
    bot.fake.send_text(SECRETARY, "/skip", language_code="en")
    await bot.wait_until(
        lambda: any("Not reached: 3" in (c.get("text") or "") for c in bot.fake.sent(SECRETARY)),
        what="the preview",
    )
    before = len(bot.fake.sent(SECRETARY))
    await bot.press(SECRETARY, "notice:send", language_code="en")
    await bot.wait_until(
        lambda: any(
            "was not created" in (c.get("text") or "") for c in bot.fake.sent(SECRETARY)[before:]
        ),
        what="the refusal",
    )
    assert not any(
        "sent" in (c.get("text") or "").lower() for c in bot.fake.sent(SECRETARY)[before:]
    )
    with bot.db.transaction() as session:
        assert session.exec(select(Notice)).all() == []
