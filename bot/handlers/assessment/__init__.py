"""/assessment: the self-assessment (附表2) in chat. The deadline reminders are a job
(bot/jobs/assessment_reminders.py); the scores CSV is uploaded with /scores (imports/).

overview.py    /assessment [period]: the period's state with the 附表2 and evidence files, and
               the secretariat's buttons under it; 「上傳分數」 says how to send the CSV
scoring.py     「評分單位」 (five numbers typed, previewed, 「儲存」) and 「處理情形」
publishing.py  「公布」: refused naming the unscored units, else confirmed, then locked
shared.py      the buttons' prefix, the wait for a typed answer, the unit picker, refusals
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.edge import waiting
from bot.edge.access import SECRETARIAT
from bot.edge.context import BotApplication
from bot.edge.features import Command, Feature
from bot.handlers.assessment import overview, publishing, scoring
from bot.handlers.assessment.shared import PREFIX, WAIT


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("assessment", overview.assessment))
    app.add_handler(
        CommandHandler("cancel", scoring.cancel, filters=waiting.waiting_for(app, WAIT))
    )
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), scoring.typed))
    for pattern, handler in (
        ("up", overview.upload_how),
        ("pick", scoring.pick),
        ("u", scoring.unit_chosen),
        ("(save|drop)", scoring.save_pressed),
        ("pub", publishing.publish_asked),
        ("(pubok|pubno)", publishing.publish_pressed),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=rf"^{PREFIX}:{pattern}:"))


FEATURE = Feature(
    name="assessment",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("assessment", SECRETARIAT),),
)
