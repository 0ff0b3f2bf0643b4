"""/courtesy_plan in chat (bot/handlers/courtesy/plan.py): the year's draw previewed with its
target, seed and counts, nothing stored before 「儲存」, then stored with the schedule CSV
attached, row for row what the command line draws from the same directory and seed; refused
while the year has results, when the directory changed after the preview, for an inspector,
for a malformed year and for a stale button, each refusal audited."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.app import app
from courtesy import directory
from storage.db import Database
from storage.models import AuditEntry, Role
from storage.queries.courtesy import fetch_rounds, fetch_test_views
from tests.bot.handlers.courtesy.helpers import answer_to, staff
from tests.courtesy.plans import INSPECTOR, SECRETARY, audit_rows, failed_action, plan_2026
from tests.factories import directory_csv
from tests.harness import BotHarness


def plan_audits(db: Database, *, allowed: bool) -> list[tuple[str | None, str | None, int | None]]:
    """The `courtesy.plan` audit rows, allowed or refused, oldest first: year, detail, who."""
    rows = db.call(
        lambda session: session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "courtesy.plan", AuditEntry.allowed == allowed)
            .order_by(col(AuditEntry.id))
        ).all()
    )
    return [(r.target, r.detail, r.actor_telegram_id) for r in rows]


def refusals(db: Database) -> list[tuple[str | None, str | None, int | None]]:
    return plan_audits(db, allowed=False)


def attached_rows(bot: BotHarness, chat: int) -> list[list[str]]:
    """The rows of the last CSV the bot attached in `chat`, its caption line left out."""
    document = bot.fake.calls("sendDocument", chat_id=chat)[-1].result["document"]
    data = bot.fake.file_bytes(document["file_id"])
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]


def cli_rows(cli: CliRunner, *args: str) -> list[list[str]]:
    for command in (["courtesy", "plan", *args], ["courtesy", "schedule", "--year", "2027"]):
        csv_wanted = ["--csv"] if command[1] == "schedule" else []
        result = cli.invoke(app, [*command, *csv_wanted])
        assert result.exit_code == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))[1:]


async def test_the_year_planned_in_chat_is_the_plan_the_cli_draws_from_the_same_seed(
    bot: BotHarness, db: Database, cli: CliRunner
) -> None:
    db.call(directory.import_staff, text=directory_csv())
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    preview = await bot.say(SECRETARY, "/courtesy_plan 2027 seed=42", language_code="en")
    assert "Telephone courtesy test plan for 2027 (preview, not saved)" in preview
    assert "Target: 80 calls (no target is set for 2027: the plan's default)" in preview
    assert "Seed: 42 (the same directory" in preview
    assert "round 1 (Jan–Apr) 27, round 2 (May–Aug) 27, round 3 (Sep–Dec) 26, 80 in all" in preview
    units = re.findall(r"^(.+): (\d+) / (\d+) / (\d+)$", preview, re.MULTILINE)
    assert [u[0] for u in units][:2] == ["First Section", "Second Section"] and len(units) == 12
    assert [sum(int(u[n]) for u in units) for n in (1, 2, 3)] == [27, 27, 26]
    assert len(preview) <= 4096
    assert db.call(fetch_rounds, year=2027) == []  # nothing stored before Save
    saved = await bot.press(
        SECRETARY, bot.fake.button_data(SECRETARY, "Save"), language_code="en", replies=2
    )
    assert saved == (
        "Saved the 2027 telephone courtesy test plan: 80 calls in 3 rounds, seed 42. "
        "The schedule CSV follows."
    )
    document = bot.fake.calls("sendDocument", chat_id=SECRETARY)[-1].result["document"]
    assert document["file_name"] == "courtesy-schedule-2027.csv"
    from_chat = attached_rows(bot, SECRETARY)
    assert len(from_chat) == 81 and from_chat[0][:3] == ["Test", "Round", "Date"]
    assert [r.seed for r in db.call(fetch_rounds, year=2027)] == [42, 42, 42]
    assert from_chat == cli_rows(cli, "--year", "2027", "--seed", "42")
    [(year, detail, who)] = plan_audits(db, allowed=True)
    assert (year, who) == ("2027", SECRETARY)
    assert json.loads(detail or "") == {"seed": 42, "target": 80, "calls": 80}


async def test_without_a_seed_the_clis_default_is_used_and_shown_and_cancel_stores_nothing(
    bot: BotHarness, db: Database, cli: CliRunner
) -> None:
    db.call(directory.import_staff, text=directory_csv())
    staff(db, SECRETARY, language=None, role=Role.SECRETARIAT)
    preview = await bot.say(SECRETARY, "/courtesy_plan 2027")
    assert "116 年電話禮貌測試計畫（預覽，尚未儲存）" in preview
    assert "亂數種子：2027" in preview
    cancel = bot.fake.button_data(SECRETARY, "取消")
    save = bot.fake.button_data(SECRETARY, "儲存")
    assert await bot.press(SECRETARY, cancel) == "已取消，沒有儲存任何計畫。"
    assert "no longer valid" in await answer_to(bot, SECRETARY, save)
    assert db.call(fetch_rounds, year=2027) == []
    assert refusals(db) == [(None, "buttons.stale", SECRETARY)]
    again = await bot.say(SECRETARY, "/courtesy_plan 2027")
    await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "儲存"), replies=2)
    assert again.count("亂數種子：2027") == 1
    in_chinese, in_english = attached_rows(bot, SECRETARY), cli_rows(cli, "--year", "2027")
    assert in_chinese[0][:3] == ["測試編號", "輪次", "日期"]
    same = [0, 3, 5, 6, 7]  # code, time, who is called, extension, inspector: no language
    assert [[r[i] for i in same] for r in in_chinese[1:]] == [
        [r[i] for i in same] for r in in_english[1:]
    ]


async def test_a_year_with_results_is_refused_at_the_preview_and_at_the_button(
    bot: BotHarness, db: Database
) -> None:
    plan_2026(db, seed=11)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    await bot.say(SECRETARY, "/courtesy_plan 2026 seed=5", language_code="en")
    code = db.call(fetch_test_views, year=2026)[0].code
    failed_action(db, code)  # a result comes in between the preview and the button
    refused = await bot.press(
        SECRETARY, bot.fake.button_data(SECRETARY, "Save"), language_code="en"
    )
    assert refused == "2026 already has results, so its plan cannot be drawn again."
    assert [r.seed for r in db.call(fetch_rounds, year=2026)] == [11, 11, 11]
    again = await bot.say(SECRETARY, "/courtesy_plan 2026", language_code="en")
    assert again == "2026 already has results, so its plan cannot be drawn again."
    assert refusals(db) == [("2026", "courtesy.plan.has_results", SECRETARY)] * 2
    assert not bot.fake.calls("sendDocument", chat_id=SECRETARY)


async def test_a_directory_changed_after_the_preview_is_refused_in_one_sentence(
    bot: BotHarness, db: Database
) -> None:
    db.call(directory.import_staff, text=directory_csv())
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    await bot.say(SECRETARY, "/courtesy_plan 2027 target=90", language_code="en")
    assert "Target: 90 calls (given in the command)" in bot.fake.last_text(SECRETARY)
    db.call(directory.import_staff, text=directory_csv() + "sec1,新進同仁,299,no,no\n")
    refused = await bot.press(
        SECRETARY, bot.fake.button_data(SECRETARY, "Save"), language_code="en"
    )
    assert refused == (
        "The directory or the year's target changed after the preview, so the plan was not "
        "saved; send /courtesy_plan 2027 again for a fresh preview."
    )
    assert db.call(fetch_rounds, year=2027) == []
    assert refusals(db) == [("2027", "courtesy.plan_chat.changed", SECRETARY)]


async def test_an_inspector_and_a_malformed_year_are_refused_and_audited(
    bot: BotHarness, db: Database
) -> None:
    db.call(directory.import_staff, text=directory_csv())
    staff(db, INSPECTOR, language="en", role=Role.INSPECTOR)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    denied = await bot.say(INSPECTOR, "/courtesy_plan 2027", language_code="en")
    assert "you do not have permission" in denied
    for wrong in ("/courtesy_plan", "/courtesy_plan 27", "/courtesy_plan 2027 seed=x"):
        usage = await bot.say(SECRETARY, wrong, language_code="en")
        assert usage.startswith("Usage: /courtesy_plan YEAR [seed=N] [target=CALLS]")
    await bot.say(SECRETARY, "/courtesy_plan 2027", language_code="en")
    alert = await answer_to(bot, INSPECTOR, bot.fake.button_data(SECRETARY, "Save"))
    assert "permission" in alert
    assert db.call(fetch_rounds, year=2027) == []
    denied_rows = [r for r in audit_rows(db) if r[0] == "denied:plan_command"]
    assert [(r[2], r[3]) for r in denied_rows] == [("/courtesy_plan", INSPECTOR)]
    assert ("denied:plan_pressed", None, "ct:pl:save:", INSPECTOR) in [
        (a, t, (d or "")[:11], w) for a, t, d, w in audit_rows(db)
    ]
    assert refusals(db) == [(None, "courtesy.plan_chat.usage", SECRETARY)] * 3
