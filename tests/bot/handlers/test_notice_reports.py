"""The month's notices report from /notices (bot/handlers/notice_overview.py): the secretariat
gets buttons for this month and the last, or types `/notices report 2027-03`, and receives the
files `bsmi-desk report notices --month` writes, byte for byte; an inspector sees no buttons and
is refused and audited; a month written wrong or not begun is one sentence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli import report as cli_report
from bot.cli.app import app
from bot.handlers import notice_overview
from kernel.clock import utcnow
from kernel.periods import last_complete_month
from storage.models import AuditEntry, Role
from tests.factories import person
from tests.harness import BotHarness

SECRETARY, INSPECTOR, FIRM = 7501, 7502, 7503
TAIPEI = ZoneInfo("Asia/Taipei")
PRODUCED = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def produced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both edges stamp their files with the same production time."""
    monkeypatch.setattr(cli_report, "produced_now", lambda: PRODUCED)
    monkeypatch.setattr(notice_overview, "produced_now", lambda: PRODUCED)


def attached(bot: BotHarness, chat: int, before: int) -> dict[str, bytes]:
    """The files the bot sent in `chat` after its first `before` documents, by name."""
    documents = bot.fake.calls("sendDocument", chat_id=chat)[before:]
    return {
        c.result["document"]["file_name"]: bot.fake.file_bytes(c.result["document"]["file_id"])
        for c in documents
    }


async def test_the_months_report_from_chat_is_the_files_the_cli_writes(
    bot: BotHarness, cli: CliRunner, tmp_path: Path, produced: None
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await bot.say(FIRM, "/start sub-cns", language_code="en")
    body = tmp_path / "body.txt"
    body.write_text("Body", encoding="utf-8")
    sent = cli.invoke(
        app, ["notice", "send", "--category", "cns", "--title", "T", "--body-file", str(body)]
    )
    assert sent.exit_code == 0, sent.stderr
    await bot.outbox_sent()
    listing = await bot.say(SECRETARY, "/notices", language_code="en")
    assert "T" in listing
    today = utcnow().astimezone(TAIPEI).date()
    this_month = bot.fake.button_data(SECRETARY, "This month")
    assert this_month == f"nrep:{today:%Y-%m}"
    assert bot.fake.button_data(SECRETARY, "Last month") == (
        f"nrep:{last_complete_month(today).code}"
    )
    text = await bot.press(SECRETARY, this_month, language_code="en", replies=5)
    assert text.startswith(f"<b>Notices report, {today:%B %Y}</b>")
    assert "1 notices, delivered 1 of 1; 0 expiry reminders" in text
    from_chat = attached(bot, SECRETARY, 0)
    written = cli.invoke(
        app,
        ["report", "notices", "--month", f"{today:%Y-%m}", "--out", str(tmp_path / "r")],
    )
    assert written.exit_code == 0, written.stderr
    from_cli = {p.name: p.read_bytes() for p in (tmp_path / "r").iterdir()}
    assert (
        sorted(from_chat)
        == sorted(from_cli)
        == [
            f"notices-{today:%Y-%m}-delivery.csv",
            f"notices-{today:%Y-%m}-kinds.csv",
            f"notices-{today:%Y-%m}-unreachable.csv",
            f"notices-{today:%Y-%m}.html",
        ]
    )
    assert from_chat == from_cli


async def test_a_month_is_typed_and_a_wrong_one_is_one_sentence(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    last = last_complete_month(utcnow().astimezone(TAIPEI).date())
    text = await bot.say(SECRETARY, f"/notices report {last.code}", replies=5)
    assert "即時通服務網報表" in text and "公告 0 則" in text
    names = sorted(attached(bot, SECRETARY, 0))
    assert names[-1] == f"notices-{last.code}.html" and len(names) == 4
    for wrong in ("2026-13", "2999-01"):
        refused = await bot.say(SECRETARY, f"/notices report {wrong}", language_code="en")
        assert refused.endswith(
            "Usage: /notices report YEAR-MONTH, e.g. /notices report 2027-03; "
            "without a month, this month."
        )
        assert "\n" in refused and len(refused.splitlines()) == 2
    assert len(bot.fake.calls("sendDocument", chat_id=SECRETARY)) == 4


async def test_an_inspector_sees_no_report_buttons_and_is_refused_and_audited(
    bot: BotHarness,
) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    await bot.say(INSPECTOR, "/notices", language_code="en")
    assert "reply_markup" not in bot.fake.sent(INSPECTOR)[-1]
    denied = await bot.say(INSPECTOR, "/notices report", language_code="en")
    assert "you do not have permission" in denied
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(INSPECTOR, "nrep:2026-11", language_code="en")
    await bot.wait_until(lambda: len(bot.fake.calls("answerCallbackQuery")) > before)
    assert "permission" in bot.fake.calls("answerCallbackQuery")[-1].params["text"]
    assert not bot.fake.calls("sendDocument", chat_id=INSPECTOR)
    rows = bot.db.call(
        lambda session: session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("denied:"))
            .order_by(col(AuditEntry.id))
        ).all()
    )
    assert [(r.action, r.detail, r.actor_telegram_id) for r in rows] == [
        ("denied:notices_report", "/notices", INSPECTOR),
        ("denied:report_pressed", "nrep:2026-11", INSPECTOR),
    ]
