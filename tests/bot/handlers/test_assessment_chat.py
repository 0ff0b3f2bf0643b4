"""/assessment's buttons through the fake Bot API on a real database: twelve units' scores
uploaded with /scores, one corrected by hand through 「評分單位」 (malformed numbers each one
sentence, audited), a follow-up, publication refused while a unit is unscored and confirmed
once none is, a later score refused; the 附表2 then equals the CLI's. An inspector is refused
and audited at every step, an admin sees the overview without the secretariat's buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.assessment.targets import NAMES
from bot.cli.app import app
from kernel.clock import utcnow
from storage.models import AuditEntry, Role
from storage.models.assessment import AssessmentPublication, AssessmentScore
from storage.seeds import UNITS
from tests.factories import person
from tests.harness import BotHarness

SECRETARY, INSPECTOR, ADMIN = 7501, 7502, 7503
PERIOD = "2027-H1"


def scores_csv(units: int = len(UNITS)) -> str:
    lines = ["unit,basic,delivery,capacity,evaluation,innovation"]
    for index, (code, _, _) in enumerate(UNITS[:units]):
        lines.append(f"{code},{180 - index},270,170,160,80")
    return "\n".join(lines) + "\n"


def audits(bot: BotHarness, action: str) -> list[AuditEntry]:
    def find(session: Session) -> list[AuditEntry]:
        found = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(session.exec(found.order_by(col(AuditEntry.id))).all())

    return bot.db.call(find)


def current_scores(bot: BotHarness) -> dict[int, tuple[int, ...]]:
    def find(session: Session) -> dict[int, tuple[int, ...]]:
        rows = session.exec(
            select(AssessmentScore).where(col(AssessmentScore.superseded_at).is_(None))
        ).all()
        return {
            r.unit_id: (r.basic, r.delivery, r.capacity, r.evaluation, r.innovation) for r in rows
        }

    return bot.db.call(find)


def history_of(bot: BotHarness, unit_id: int) -> int:
    return bot.db.call(
        lambda session: len(
            session.exec(
                select(AssessmentScore).where(col(AssessmentScore.unit_id) == unit_id)
            ).all()
        )
    )


async def alert(bot: BotHarness, user: int, data: str) -> str:
    """Press a button that is answered with an alert and no message; return the alert."""
    answers = len(bot.fake.calls("answerCallbackQuery"))
    sent = len(bot.fake.sent(user))
    bot.fake.press_button(user, data)
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > answers, what="the alert"
    )
    await bot.settle()
    [answer] = bot.fake.calls("answerCallbackQuery")[answers:]
    assert len(bot.fake.sent(user)) == sent, "an alert only"
    return str(answer.params.get("text"))


async def open_overview(bot: BotHarness, user: int) -> str:
    """/assessment 2027-H1, its files sent too."""
    text = await bot.say(user, f"/assessment {PERIOD}")
    await bot.settle()
    return text


async def upload_scores(bot: BotHarness, units: int = len(UNITS)) -> None:
    preview = await bot.send_file(
        SECRETARY, "scores.csv", scores_csv(units).encode(), caption=f"/scores {PERIOD}"
    )
    assert f"{units} 個單位" in preview, preview
    done = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "匯入"))
    assert done == f"已匯入 {PERIOD} {units} 個單位的分數。"


def sent_csv(bot: BotHarness, chat: int, name: str) -> str:
    documents = [
        c.result["document"]
        for c in bot.fake.calls("sendDocument", chat_id=chat)
        if c.ok and c.result["document"]["file_name"] == name
    ]
    return bot.fake.file_bytes(documents[-1]["file_id"]).decode("utf-8-sig")


def without_stamp(text: str) -> list[str]:
    """The CSV's lines but its caption, which carries the time it was produced."""
    return [line for line in text.splitlines() if "產製時間" not in line]


async def test_twelve_uploaded_one_corrected_by_hand_published_then_locked(
    bot: BotHarness, cli: CliRunner, tmp_path: Path
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await upload_scores(bot, units=11)
    overview = await open_overview(bot, SECRETARY)
    assert "已評分 11／12 個單位" in overview
    publish = bot.fake.button_data(SECRETARY, "公布")
    refused = await bot.press(SECRETARY, publish)
    assert refused == f"{PERIOD} 還有 1 個單位未評分：秘書室；全部評分後才能公布。"
    assert [r.detail for r in audits(bot, "assessment.publish")] == ["assessment.unscored"]

    await upload_scores(bot)
    await open_overview(bot, SECRETARY)
    score_button = bot.fake.button_data(SECRETARY, "評分單位")
    how = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "上傳分數"))
    assert f"/scores {PERIOD}" in how
    picker = await bot.press(SECRETARY, score_button)
    assert "請選擇要評分的單位（116 年上半年" in picker
    third = bot.db.call(
        lambda session: session.exec(
            select(AssessmentScore.unit_id).where(col(AssessmentScore.basic) == 178)
        ).first()
    )
    asked = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "第三課 ✅"))
    assert "第三課（116 年上半年）的五項分數" in asked and "基礎服務（200）" in asked

    for typed, said in (
        ("180 250 170 160", "請輸入五項分數（收到 4 項）"),
        ("180 250 170 160 80 10", "請輸入五項分數（收到 6 項）"),
        ("180 250.5 170 160 80", "服務遞送 的分數「250.5」不是整數。"),
        ("180 301 170 160 80", "服務遞送 的分數 301 超出範圍，須為 0 到 300。"),
        ("180 250 170 160 -1", "開放創新 的分數 -1 超出範圍，須為 0 到 100。"),
        ("基礎服務=180 速度=2", "「速度」不是考核構面"),
    ):
        assert said in await bot.say(SECRETARY, typed), typed
    malformed = audits(bot, "assessment.score")
    assert len(malformed) == 6 and not any(r.allowed for r in malformed)
    assert {r.actor_telegram_id for r in malformed} == {SECRETARY}
    assert [r.detail for r in malformed][:3] == [
        "assessment.chat_five",
        "assessment.chat_five",
        "assessment.not_integer",
    ]
    assert current_scores(bot)[third] == (178, 270, 170, 160, 80)

    preview = await bot.say(
        SECRETARY, "服務遞送=250 基礎服務=180 服務量能=170 服務評價=160 開放創新=80"
    )
    assert "第三課 評分預覽" in preview and "服務遞送：250／300" in preview
    assert "總分 840／1000，等第 甲" in preview
    assert current_scores(bot)[third] == (178, 270, 170, 160, 80)  # nothing before 儲存
    save = bot.fake.button_data(SECRETARY, "儲存")
    cancelled = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "取消"))
    assert cancelled == "已取消，沒有記錄任何分數。"
    stale = await alert(bot, SECRETARY, save)
    assert "失效" in stale, stale
    assert [r.detail for r in audits(bot, "assessment.stale")] == [save]
    assert current_scores(bot)[third] == (178, 270, 170, 160, 80)

    await bot.press(SECRETARY, score_button)
    await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "第三課"))
    await bot.say(SECRETARY, "180 250 170 160 80")
    saved = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "儲存"))
    assert saved == "已記錄 116 年上半年 第三課：總分 840，等第 甲。"
    assert current_scores(bot)[third] == (180, 250, 170, 160, 80)
    assert history_of(bot, third) == 3  # both uploads kept as history
    [recorded] = [r for r in audits(bot, "assessment.score") if r.allowed]
    assert recorded.target == f"{PERIOD}:sec3" and recorded.detail == f"telegram:{SECRETARY}"
    assert recorded.actor_telegram_id == SECRETARY  # the audit names who, as for a refusal

    await open_overview(bot, SECRETARY)
    await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "處理情形"))
    await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "第三課"))
    followed = await bot.say(SECRETARY, "已於 7 月課務會議檢討並改善")
    assert followed == "已記錄 116 年上半年 第三課 的考核結果處理情形。"
    [noted] = audits(bot, "assessment.follow_up")
    assert noted.actor_telegram_id == SECRETARY and noted.target == f"{PERIOD}:sec3"

    await open_overview(bot, SECRETARY)
    confirm = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "公布"))
    assert confirm.startswith("確定公布116 年上半年的自行考核結果？")
    assert "12 個單位的分數即鎖定" in confirm
    assert bot.db.call(lambda s: s.exec(select(AssessmentPublication)).all()) == []
    go = bot.fake.button_data(SECRETARY, "確定公布")
    published = await bot.press(SECRETARY, go)
    assert published == "116 年上半年 已公布，分數已鎖定。"
    [row] = [r for r in audits(bot, "assessment.publish") if r.allowed]
    assert row.detail == f"telegram:{SECRETARY}" and row.actor_telegram_id == SECRETARY
    assert "失效" in await alert(bot, SECRETARY, go)  # used: stale

    later = await bot.press(SECRETARY, score_button)
    assert later == "116 年上半年 已公布，分數不能再修改。"
    overview = await open_overview(bot, SECRETARY)
    assert "已公布" in overview
    await bot.wait_until(lambda: bool(bot.fake.calls("sendDocument", chat_id=SECRETARY)))
    await bot.settle()
    assert bot.fake.button_data(SECRETARY, "處理情形")
    with pytest.raises(AssertionError, match="no button"):
        bot.fake.button_data(SECRETARY, "評分單位")
    assert current_scores(bot)[third] == (180, 250, 170, 160, 80)

    chat_csv = sent_csv(bot, SECRETARY, f"self-assessment-{PERIOD}.csv")
    result = cli.invoke(
        app,
        ["assessment", "report", "--period", PERIOD, "--out", str(tmp_path), "--lang", "zh-TW"],
    )
    assert result.exit_code == 0, result.output
    cli_csv = (tmp_path / f"self-assessment-{PERIOD}.csv").read_text(encoding="utf-8-sig")
    assert without_stamp(chat_csv) == without_stamp(cli_csv)
    assert "840" in chat_csv and "已於 7 月課務會議檢討並改善" in chat_csv


async def test_an_inspector_is_refused_and_audited_at_each_step_an_admin_sees_no_buttons(
    bot: BotHarness,
) -> None:
    """Scoring and publishing are the secretariat's alone: an inspector is refused the
    overview and every button, an admin gets the overview without the buttons and is refused
    them; every refusal is audited and nothing changes."""
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(bot.db, ADMIN, Role.ADMIN)
    await upload_scores(bot)
    await open_overview(bot, SECRETARY)
    buttons = {
        label: bot.fake.button_data(SECRETARY, label)
        for label in ("上傳分數", "評分單位", "處理情形", "公布")
    }
    await bot.press(SECRETARY, buttons["評分單位"])
    buttons["unit"] = bot.fake.button_data(SECRETARY, "第一課")
    await bot.press(SECRETARY, buttons["unit"])
    await bot.say(SECRETARY, "180 250 170 160 80")
    buttons["儲存"] = bot.fake.button_data(SECRETARY, "儲存")
    await bot.press(SECRETARY, buttons["公布"])
    buttons["確定公布"] = bot.fake.button_data(SECRETARY, "確定公布")

    refused = await open_overview(bot, INSPECTOR)
    assert "權限" in refused
    overview = await open_overview(bot, ADMIN)
    assert "已評分 12／12 個單位" in overview
    admin_overview = bot.fake.sent(ADMIN)[-1]
    assert "reply_markup" not in admin_overview
    for user in (INSPECTOR, ADMIN):
        for data in buttons.values():
            assert "權限" in await alert(bot, user, data), data
    denied = [
        (r.actor_telegram_id, r.action, r.detail)
        for r in bot.db.call(lambda s: s.exec(select(AuditEntry)).all())
        if not r.allowed
    ]
    for user in (INSPECTOR, ADMIN):
        assert sorted(d for u, _, d in denied if u == user and d != "/assessment") == sorted(
            buttons.values()
        )
    assert (INSPECTOR, "denied:assessment", "/assessment") in denied
    assert {a for _, a, _ in denied} >= {
        "denied:upload_how",
        "denied:pick",
        "denied:unit_chosen",
        "denied:save_pressed",
        "denied:publish_asked",
        "denied:publish_pressed",
    }
    assert bot.db.call(lambda s: s.exec(select(AssessmentPublication)).all()) == []
    assert history_of(bot, 1) == 1

    published = await bot.press(SECRETARY, buttons["確定公布"])
    assert published == "116 年上半年 已公布，分數已鎖定。", "the secretary's confirmation stood"
    assert "失效" in await alert(bot, SECRETARY, buttons["儲存"]), "one open step at a time"


async def test_targets_are_shown_with_their_source_and_set_with_one_sentence_per_mistake(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(bot.db, ADMIN, Role.ADMIN)
    year = utcnow().astimezone(bot.settings.tz).year
    shown = await bot.say(ADMIN, "/targets")
    assert (
        f"{year - 1911} 年度（{year}）" in shown and f"{year - 1910} 年度（{year + 1}）" in shown
    )
    for name in NAMES:
        assert f"（{name}）：" in shown, name
    assert "• 民眾檢舉、申訴（public）：350（計畫預設）" in shown
    assert shown.count("來源：服務效能提升計畫的預設值") == 2

    for typed, said in (
        (f"/targets {year + 1} public=abc", "目標 public 的「abc」不是整數。"),
        (f"/targets {year + 1} speed=3", "沒有「speed」這項目標"),
        ("/targets 27 public=300", "年度 27 不正確"),
        ("/targets 1999 public=300", "年度 1999 不正確"),
        (f"/targets {year + 1} public=0", "目標 public 為 0 不正確"),
        (f"/targets {year + 1}", "用法：/targets 2027"),
    ):
        assert said in await bot.say(SECRETARY, typed), typed
    refusals = audits(bot, "target.set")
    assert [r.allowed for r in refusals] == [False] * 6
    assert refusals[-1].detail == "targets.chat_usage"

    saved = await bot.say(
        SECRETARY, f"/targets {year + 1} public=360 courtesy=90", language_code="en"
    )
    assert saved.startswith(f"Targets for {year + 1} set.")
    assert "• public reports and complaints (public): 360\n" in saved  # set, not the plan's
    assert "(courtesy): 90\n" in saved
    assert "(monitor): 250 (plan)" in saved
    assert f"Source: set by telegram:{SECRETARY} on " in saved
    shown = await bot.say(ADMIN, "/targets")
    assert "• 民眾檢舉、申訴（public）：360\n" in shown
    assert shown.count("來源：服務效能提升計畫的預設值") == 1
    [row] = [r for r in audits(bot, "target.set") if r.allowed]
    assert row.target == str(year + 1) and "courtesy=90, public=360" in (row.detail or "")

    refused = await bot.say(INSPECTOR, f"/targets {year} public=1")
    assert "權限" in refused
    [denied] = audits(bot, "denied:targets")
    assert denied.actor_telegram_id == INSPECTOR and denied.detail == "/targets"
