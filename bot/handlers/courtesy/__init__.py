"""Courtesy tests in chat: /tests and /score TEST_ID (buttons per item) for inspectors,
/actions and /action NUMBER for corrective actions, and the secretariat's /courtesy_report.
The daily reminders are a job (bot/jobs/courtesy_reminders.py)."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from bot.edge.access import SECRETARIAT, STAFF
from bot.edge.context import BotApplication
from bot.edge.features import Command, Feature
from bot.handlers.courtesy import actions, report, scoring
from bot.handlers.courtesy.shared import PREFIX


def register(app: BotApplication) -> None:
    scoring.register(app)
    actions.register(app)
    report.register(app)
    # Last: any other courtesy button belongs to a conversation that has ended.
    app.add_handler(CallbackQueryHandler(scoring.stale_button, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="courtesy",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(
        Command("tests", STAFF),
        Command("score", STAFF),
        Command("actions", STAFF),
        Command("action", SECRETARIAT),
        Command("courtesy_report", SECRETARIAT),
    ),
)
