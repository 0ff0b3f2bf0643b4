"""/survey through the fake Bot API: a survey created from chat (template, then title), sent to
a seeded sample of 5 (the same 5 chats `survey send --sample 5 --seed` draws from the same
database), closed after a confirmation, its report attached (the files `survey report` writes);
category toggles count what `survey send --category` reaches; an inspector and a firm refused
at every step and audited; stale and forged buttons, bad titles and samples in one sentence."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.surveys.admin import create_survey
from kernel.clock import utcnow
from storage.models import AuditEntry, Notice, Person, Role, Survey, SurveyInvitation
from tests.factories import add_firm, person
from tests.harness import BotHarness

FIRST = 7_800_000_001
SECRETARY = 8301
OTHER_SECRETARY = 8302
INSPECTOR = 8303
SEED = 42
PRODUCED = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Taipei"))


def firms(bot: BotHarness, count: int = 30) -> list[int]:
    """`count` firms: odd positions subscribe to cns, even ones to rpc and type, every third
    one also to cns; the last is blocked."""
    chats = [FIRST + 11 * i for i in range(count)]

    def add(session: Session) -> None:
        for n, chat in enumerate(chats):
            codes = ["cns"] if n % 2 else ["rpc", "type"]
            if n % 3 == 0 and "cns" not in codes:
                codes.append("cns")
            add_firm(session, chat, codes, blocked=n == count - 1)

    bot.db.call(add)
    return chats


def invited(bot: BotHarness, survey_id: int) -> list[int]:
    def read(session: Session) -> list[int]:
        rows = session.exec(
            select(Person.telegram_id)
            .join(SurveyInvitation, col(SurveyInvitation.person_id) == Person.id)
            .where(SurveyInvitation.survey_id == survey_id)
        ).all()
        return sorted(int(r) for r in rows)

    return bot.db.call(read)


def audit(bot: BotHarness, prefix: str) -> list[AuditEntry]:
    return bot.db.call(
        lambda session: [
            a
            for a in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
            if a.action.startswith(prefix)
        ]
    )


def survey_of(bot: BotHarness, survey_id: int) -> Survey:
    found = bot.db.call(lambda session: session.get(Survey, survey_id))
    assert found is not None
    return found


def run_cli(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["survey", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


async def alert_after(bot: BotHarness, user_id: int, data: str, **kw: str) -> str:
    """Press a button; the text of the press's one answer (an alert, or empty)."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user_id, data, **kw)
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > before, what=f"an answer to {data}"
    )
    await bot.settle()
    answers = bot.fake.calls("answerCallbackQuery")
    assert len(answers) == before + 1, "a press is answered once"
    return str(answers[-1].params.get("text") or "")


async def click(bot: BotHarness, user_id: int, label: str, *, replies: int = 1) -> str:
    """Press the button labelled `label` on the chat's latest keyboard; the next text."""
    return await bot.press(user_id, bot.fake.button_data(user_id, label), replies=replies)


async def new_survey(bot: BotHarness, title: str) -> int:
    """新增調查 from /survey: the template by button, then the title; the new survey's id."""
    await bot.say(SECRETARY, "/survey")
    assert "服務滿意度" in await click(bot, SECRETARY, "新增調查")
    assert "請輸入調查標題" in await click(bot, SECRETARY, "服務滿意度")
    created = await bot.say(SECRETARY, title)
    assert "已建立調查" in created and "草稿" in created
    return int(created.split("#", 1)[1].split("（", 1)[0])


def documents(bot: BotHarness, chat: int) -> dict[str, bytes]:
    sent = [c.result["document"] for c in bot.fake.calls("sendDocument", chat_id=chat) if c.ok]
    return {d["file_name"]: bot.fake.file_bytes(d["file_id"]) for d in sent}


async def test_a_survey_created_sent_to_a_seeded_sample_closed_and_reported_from_chat(
    bot: BotHarness, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    firms(bot)
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    assert "目前沒有任何調查" in await bot.say(SECRETARY, "/survey")

    # 新增調查: a title too long is one sentence and the wait stays; then the title.
    await bot.say(SECRETARY, "/survey")
    await click(bot, SECRETARY, "新增調查")
    await click(bot, SECRETARY, "服務滿意度")
    assert "1 至 200 個字" in await bot.say(SECRETARY, "長" * 201)
    created = await bot.say(SECRETARY, "115 年 <服務> 滿意度調查")
    assert "已建立調查" in created and "115 年 &lt;服務&gt; 滿意度調查" in created  # as typed
    [survey] = bot.db.call(lambda session: list(session.exec(select(Survey)).all()))
    assert survey.id is not None and survey.title == "115 年 <服務> 滿意度調查"
    survey_id = survey.id

    # 寄送 → 抽樣: a bad sample is one sentence; "5 seed=42" shows the count first.
    picking = await click(bot, SECRETARY, "寄送")
    assert "收件人數：29 人" in picking  # every reachable subscriber; the blocked one is not
    assert "抽樣人數" in await click(bot, SECRETARY, "抽樣")
    for bad in ("五", "0", "5 seed=x", "5 seed=99999999999"):
        assert "請輸入 1 至 100000 的抽樣人數" in await bot.say(SECRETARY, bad)
    preview = await bot.say(SECRETARY, f"5 seed={SEED}")
    assert "從 29 位訂閱者中抽出 5 位（種子 42）" in preview and "收件人數：5 人" in preview
    assert invited(bot, survey_id) == []  # nothing sent before the confirmation
    sent = await click(bot, SECRETARY, "確認寄送")
    assert "收件人 5 人（訂閱者 29 人）" in sent and "進行中" in sent
    chat_sample = invited(bot, survey_id)
    assert len(chat_sample) == 5
    notice = bot.db.call(lambda session: session.exec(select(Notice)).one())
    assert (notice.kind, notice.ref_id) == ("survey", survey_id)
    await bot.outbox_sent()  # the invitations went out

    # The command line draws the same 5 from the same database with the same seed.
    cli_id = run_cli(cli, "create", "--title", "CLI").split()[-1]
    run_cli(cli, "send", cli_id, "--sample", "5", "--seed", str(SEED))
    assert invited(bot, int(cli_id)) == chat_sample

    # One firm answers, so the report has figures.
    chat = chat_sample[0]
    await bot.press(chat, f"svy:go:{survey_id}")
    invitation = bot.fake.button_data(chat, "5 非常滿意").split(":")[2]
    for position in range(5):
        await bot.press(chat, f"svy:a:{invitation}:{position}:4", replies=2)
    await bot.say(chat, "/skip")

    # 結束: a confirmation first; a second press of it says it was closed, once.
    await bot.say(SECRETARY, "/survey")
    await click(bot, SECRETARY, f"#{survey_id}")
    asked = await click(bot, SECRETARY, "結束")
    assert "確定要結束調查" in asked and "回收 1 份，回收率 20.0%" in asked
    assert survey_of(bot, survey_id).state == "open"
    confirm = bot.fake.button_data(SECRETARY, "確定結束")
    assert "已結束" in await bot.press(SECRETARY, confirm)
    assert survey_of(bot, survey_id).state == "closed"
    assert "先前已結束" in await alert_after(bot, SECRETARY, confirm)

    # 報告: the files `survey report` writes for it, the same bytes.
    monkeypatch.setattr("kernel.tables.produced_now", lambda: PRODUCED)
    monkeypatch.setattr("bot.surveys.report_files.produced_now", lambda: PRODUCED)
    run_cli(cli, "report", str(survey_id), "--out", str(tmp_path / "cli"), "--lang", "zh-TW")
    written = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir()}
    assert len(written) >= 5 and any(name.endswith(".html") for name in written)
    before = len(bot.fake.calls("sendDocument", chat_id=SECRETARY))
    bot.fake.press_button(SECRETARY, bot.fake.button_data(SECRETARY, "報告"))
    await bot.wait_until(
        lambda: len(bot.fake.calls("sendDocument", chat_id=SECRETARY)) >= before + len(written),
        what="the report's files",
    )
    assert "報告" in bot.fake.sent(SECRETARY)[-1 - len(written)]["text"]
    attached = documents(bot, SECRETARY)
    assert sorted(attached) == sorted(written)
    assert attached == written

    # Each step is audited with who did it; the command line's steps too, with no one.
    rows = [(a.action, a.target, a.actor_telegram_id) for a in audit(bot, "survey.")]
    mine, target = SECRETARY, str(survey_id)
    assert rows == [
        ("survey.create", target, mine),
        ("survey.send", target, mine),
        ("survey.create", cli_id, None),
        ("survey.send", cli_id, None),
        ("survey.close", target, mine),
        ("survey.report", target, None),  # the command line's, written first to compare
        ("survey.report", target, mine),
    ]
    [send_row] = [a for a in audit(bot, "survey.send") if a.actor_telegram_id == mine]
    assert '"sample": 5' in (send_row.detail or "") and '"seed": 42' in (send_row.detail or "")


async def test_category_toggles_count_what_the_command_line_sends_to(
    bot: BotHarness, cli: CliRunner
) -> None:
    firms(bot)
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    survey_id = await new_survey(bot, "依類別")
    await click(bot, SECRETARY, "寄送")
    assert "類別：全部類別" in bot.fake.last_text(SECRETARY)
    picked = await click(bot, SECRETARY, "驗證登錄")
    assert "✅ 驗證登錄" in str(bot.fake.sent(SECRETARY)[-1]["reply_markup"])
    picked = await click(bot, SECRETARY, "型式認可")
    picked = await click(bot, SECRETARY, "正字標記")
    picked = await click(bot, SECRETARY, "正字標記")  # ticked twice: unticked
    assert "類別：驗證登錄、型式認可" in picked
    chat_count = int(picked.split("收件人數：")[1].split(" 人")[0])

    cli_id = run_cli(cli, "create", "--title", "CLI").split()[-1]
    out = run_cli(cli, "send", cli_id, "--category", "rpc", "--category", "type")
    assert f"sent to {chat_count} of {chat_count} subscribers" in out
    assert chat_count == 15  # the even positions; the blocked last one is odd

    old = [bot.fake.button_data(SECRETARY, label) for label in ("確認寄送", "驗證登錄", "抽樣")]
    await click(bot, SECRETARY, "確認寄送")
    assert invited(bot, survey_id) == invited(bot, int(cli_id))
    # The choice's buttons are stale now: nothing is sent twice.
    for data in old:
        assert "失效" in await alert_after(bot, SECRETARY, data)
    notices = bot.db.call(lambda session: len(session.exec(select(Notice)).all()))
    assert notices == 2
    # Sending it again from its (old) view: one sentence, nothing sent.
    assert "已發送過" in await alert_after(bot, SECRETARY, f"sva:s:{survey_id}")


async def test_an_inspector_and_a_firm_are_refused_at_every_step_and_audited(
    bot: BotHarness,
) -> None:
    firms(bot, count=3)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    survey_id = bot.db.call(create_survey, template="service", title="T", now=utcnow())
    steps = [
        "sva:l:1",
        f"sva:v:{survey_id}",
        "sva:new",
        "sva:tpl:service",
        f"sva:s:{survey_id}",
        "sva:t:0a1b2c3d:1",
        "sva:m:0a1b2c3d",
        "sva:y:0a1b2c3d",
        "sva:x:0a1b2c3d",
        f"sva:c:{survey_id}",
        f"sva:cy:{survey_id}",
        f"sva:r:{survey_id}",
    ]
    for who in (INSPECTOR, FIRST):
        assert "權限" in await bot.say(who, "/survey")
        for data in steps:
            assert "權限" in await alert_after(bot, who, data), data
    refused = [(a.actor_telegram_id, a.detail) for a in audit(bot, "denied:") if not a.allowed]
    expected = [(who, d) for who in (INSPECTOR, FIRST) for d in ["/survey", *steps]]
    assert refused == expected
    assert survey_of(bot, survey_id).state == "draft"
    assert audit(bot, "survey.") == [audit(bot, "survey.create")[0]]  # nothing but creating


async def test_stale_forged_and_cancelled_steps_change_nothing(bot: BotHarness) -> None:
    firms(bot, count=4)
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, OTHER_SECRETARY, Role.SECRETARIAT)
    survey_id = await new_survey(bot, "第一份")
    await click(bot, SECRETARY, "寄送")
    confirm = bot.fake.button_data(SECRETARY, "確認寄送")
    # Another secretary pressing this one's choice: stale, nothing sent.
    assert "失效" in await alert_after(bot, OTHER_SECRETARY, confirm)
    for data in ("sva:zz", "sva:v:x", "sva:l", "sva:tpl:nosuch", "sva:t:ffffffff:1"):
        assert "失效" in await alert_after(bot, SECRETARY, data), data
    assert "沒有編號 99999 的調查" in await alert_after(bot, SECRETARY, "sva:v:99999")
    # /cancel drops the choice: its buttons are stale after it.
    assert "已取消" in await bot.say(SECRETARY, "/cancel")
    assert "失效" in await alert_after(bot, SECRETARY, confirm)
    # 抽樣, then another command: the wait ends, and its sample's buttons with it.
    await bot.say(SECRETARY, "/survey")
    await click(bot, SECRETARY, f"#{survey_id}")
    await click(bot, SECRETARY, "📤 寄送")
    sample = bot.fake.button_data(SECRETARY, "抽樣")
    await bot.press(SECRETARY, sample)
    await bot.say(SECRETARY, "3 seed=1")
    confirm = bot.fake.button_data(SECRETARY, "確認寄送")
    await bot.say(SECRETARY, "/help")
    assert "失效" in await alert_after(bot, SECRETARY, confirm)
    assert invited(bot, survey_id) == []
    # A text while the categories are being ticked says to use the buttons.
    await bot.say(SECRETARY, "/survey")
    await click(bot, SECRETARY, f"#{survey_id}")
    await click(bot, SECRETARY, "📤 寄送")
    assert "請用訊息上的按鈕" in await bot.say(SECRETARY, "cns")
    assert survey_of(bot, survey_id).state == "draft"
    assert audit(bot, "survey.send") == []


async def test_the_list_is_paged_within_a_message_and_complete_in_english(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    for n in range(19):
        title = f"{n:02d} <b>" + "滿意度" * 64
        bot.db.call(create_survey, template="service", title=title[:200], now=utcnow())
    first = await bot.say(SECRETARY, "/survey")
    assert "第 1／3 頁" in first and len(first) <= 4096
    assert "18 &lt;b&gt;滿意度" in first  # titles escaped: Telegram shows them as typed
    assert bot.fake.button_data(SECRETARY, "#19 18 <b>滿意度") == "sva:v:19"
    second = await click(bot, SECRETARY, "下一頁")
    assert "第 2／3 頁" in second
    third = await bot.press(SECRETARY, "sva:l:3")
    assert "第 3／3 頁" in third and "#1 " in third
    english = await bot.say(SECRETARY, "/survey", language_code="en")
    assert "page 1 of 3" in english and "draft" in english and "not sent yet" in english
    assert bot.fake.button_data(SECRETARY, "➕ New survey") == "sva:new"
    assert bot.fake.button_data(SECRETARY, "Next ▶️") == "sva:l:2"
