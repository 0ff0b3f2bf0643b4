"""Staff in chat: /visit step by step (the inspector's own unit taken, a bad 統一編號 asked
again, two needs, /done, preview, 儲存), a stale 儲存 answered once; /needs lists the unit's
open needs (another unit's inspector sees none, a firm is refused), 「回覆」 answers one on
time, and 「發公告」 turns the other into a notice that reaches the firm's chat through the
outbox."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import FirmNeed, Notice, Person, Role, Visit
from tests.factories import person
from tests.harness import BotHarness

INSPECTOR, OTHER, SECRETARY, FIRM_CHAT, STRANGER = 7501, 7502, 7503, 7511, 7512
TAX_ID = "04595257"


def link_firm(bot: BotHarness) -> None:
    def link(session: Session) -> None:
        found = session.exec(select(Person).where(Person.telegram_id == FIRM_CHAT)).one()
        found.tax_id = TAX_ID
        session.add(found)

    bot.db.call(link)


def alerts(bot: BotHarness, query_id: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in bot.fake.calls("answerCallbackQuery")
        if str(c.params.get("callback_query_id")) == query_id
    ]


async def test_a_visit_is_recorded_step_by_step_and_its_needs_answered_or_noticed(
    bot: BotHarness,
) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(bot.db, OTHER, Role.INSPECTOR, unit="sec2")
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await bot.say(FIRM_CHAT, "/start")
    link_firm(bot)

    assert "訪視日期" in await bot.say(INSPECTOR, "/visit")
    assert "還沒到" in await bot.say(INSPECTOR, "2099-01-01")
    assert "統一編號" in await bot.say(INSPECTOR, "/skip")  # today; the unit is their own
    assert "檢查碼驗證" in await bot.say(INSPECTOR, "04595258")
    assert "廠商名稱" in await bot.say(INSPECTOR, f"#{TAX_ID}")
    assert "訪視類型" in await bot.say(INSPECTOR, "新竹電子股份有限公司")
    assert "逐則傳送" in await bot.press(INSPECTOR, "visit:k:factory")
    assert "第 1 項" in await bot.say(INSPECTOR, "希望說明新列檢商品的檢驗方式")
    assert "第 2 項" in await bot.say(INSPECTOR, "請協助確認報驗文件")
    preview = await bot.say(INSPECTOR, "/done")
    assert "第一課" in preview and "赴廠訪視" in preview and TAX_ID in preview
    assert "1. 希望說明新列檢商品的檢驗方式" in preview and "2. 請協助確認報驗文件" in preview
    assert "已儲存訪視 #1，需求 2 項" in await bot.press(INSPECTOR, "visit:save")
    again = bot.fake.press_button(INSPECTOR, "visit:save")
    await bot.wait_until(lambda: bool(alerts(bot, again["callback_query"]["id"])))
    assert alerts(bot, again["callback_query"]["id"]) == ["這個按鈕已失效。"]

    def stored(session: Session) -> tuple[list[Visit], list[FirmNeed]]:
        return list(session.exec(select(Visit)).all()), list(session.exec(select(FirmNeed)).all())

    (visit,), needs = bot.db.call(stored)
    assert (visit.tax_id, visit.kind, visit.firm_name) == (
        TAX_ID,
        "factory",
        "新竹電子股份有限公司",
    )
    assert len(needs) == 2 and visit.recorded_by == f"telegram:{INSPECTOR}"

    listed = await bot.say(INSPECTOR, "/needs")
    assert "#1" in listed and "#2" in listed and "未回覆" in listed
    assert "目前沒有未回覆" in await bot.say(OTHER, "/needs")
    assert "#1" in await bot.say(SECRETARY, "/needs")
    await bot.say(STRANGER, "/needs")  # a firm: refused, nothing listed
    assert "#1" not in bot.fake.last_text(STRANGER)

    assert "請輸入給廠商的回覆" in await bot.press(INSPECTOR, "needs:a:1")
    assert "需求 #1：依限回覆" in await bot.say(INSPECTOR, "已說明檢驗方式及申請流程")
    used = bot.fake.press_button(INSPECTOR, "needs:a:1")
    await bot.wait_until(lambda: bool(alerts(bot, used["callback_query"]["id"])))
    assert alerts(bot, used["callback_query"]["id"]) == ["需求 #1 已經回覆過了。"]

    assert "目前有 1 個對話" in await bot.press(INSPECTOR, "needs:n:2")
    assert "公告內容" in await bot.say(INSPECTOR, "報驗文件說明")
    confirm = await bot.say(INSPECTOR, "所需文件如附，請於 30 日內補正。", replies=3)
    assert TAX_ID in confirm and "（1 個）" in confirm
    assert "已送出，將送達 1 個對話" in await bot.press(INSPECTOR, "needs:send")
    await bot.outbox_sent()
    to_firm = [c.text or "" for c in bot.fake.calls("sendMessage", chat_id=FIRM_CHAT)]
    assert any("報驗文件說明" in text for text in to_firm)

    def noticed(session: Session) -> tuple[int | None, int | None]:
        need = session.get(FirmNeed, 2)
        notice = session.exec(select(Notice).where(Notice.title == "報驗文件說明")).one()
        assert need is not None
        return need.notice_id, notice.id

    linked, notice_id = bot.db.call(noticed)
    assert linked == notice_id is not None


async def test_a_secretary_chooses_the_unit_and_cancel_keeps_nothing(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await bot.say(SECRETARY, "/visit", language_code="en")
    assert "Which unit" in await bot.say(SECRETARY, "2026-03-02", language_code="en")
    assert "tax ID" in await bot.press(SECRETARY, "visit:u:sec2", language_code="en")
    await bot.say(SECRETARY, TAX_ID, language_code="en")
    await bot.say(SECRETARY, "/skip", language_code="en")
    await bot.press(SECRETARY, "visit:k:care", language_code="en")
    await bot.say(SECRETARY, "A talk on labelling", language_code="en")
    assert "Cancelled" in await bot.say(SECRETARY, "/cancel", language_code="en")
    assert bot.db.call(lambda session: session.exec(select(Visit)).all()) == []
    stale = bot.fake.press_button(SECRETARY, "visit:save", language_code="en")
    await bot.wait_until(lambda: bool(alerts(bot, stale["callback_query"]["id"])))
    assert alerts(bot, stale["callback_query"]["id"]) == ["This button no longer works."]
