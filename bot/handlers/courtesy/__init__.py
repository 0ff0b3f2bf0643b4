"""Courtesy tests in chat: /tests and /score TEST_ID (buttons per item) for inspectors,
/actions and /action NUMBER for corrective actions, and the secretariat's /courtesy_report and
/courtesy_plan. The daily reminders are a job (bot/jobs/courtesy_reminders.py).

    scoring.py   /tests and /score: an inspector's calls, scored with a button per item
    actions.py   /actions and /action: corrective actions as cards, a field edited by its text
    report.py    /courtesy_report: the secretariat's round report with its files
    plan.py      /courtesy_plan: a year's plan drawn, previewed, then saved with its schedule CSV
    shared.py    the feature's callback prefix, the branch's date today, who is acting
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from bot.edge.access import SECRETARIAT, STAFF
from bot.edge.context import BotApplication
from bot.edge.features import Command, Feature
from bot.handlers.courtesy import actions, plan, report, scoring
from bot.handlers.courtesy.shared import PREFIX


def register(app: BotApplication) -> None:
    scoring.register(app)
    actions.register(app)
    report.register(app)
    plan.register(app)
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
        Command("courtesy_plan", SECRETARIAT),
    ),
)
