"""Staff import the command line's CSV files by sending them in chat, and look a firm up in
the certificate register.

kinds.py   the four kinds (register, staff directory, 附表2 scores, cases received elsewhere):
           each one's preview and import through the domain function the CLI calls
upload.py  the file as a caption's command or after the command, its preview and the
           「匯入」/「取消」 buttons
firm.py    /registry 04595257: a firm's certificates and reminders; /registry alone asks for
           the register file
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, SECRETARIAT_ONLY
from bot.edge.context import BotApplication
from bot.edge.features import Command, Feature
from bot.handlers.imports import firm, upload
from bot.handlers.imports.kinds import BY_COMMAND

ASKING = (
    (SECRETARIAT, upload.import_command),
    (SECRETARIAT_ONLY, upload.secretariat_import_command),
)
"""Who may send which file: each command's handler checks its kind's roles."""
CAPTIONED = filters.Document.ALL & filters.CaptionRegex(
    rf"^/({'|'.join(BY_COMMAND)})(@\w+)?(\s|$)"
)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("registry", firm.registry_command))
    for roles, handler in ASKING:
        names = [n for n, kind in BY_COMMAND.items() if kind.roles == roles and n != "registry"]
        app.add_handler(CommandHandler(names, handler))
    app.add_handler(
        CommandHandler("cancel", upload.cancel, filters=waiting.waiting_for(app, upload.WAIT))
    )
    app.add_handler(MessageHandler(CAPTIONED, upload.captioned_file))
    app.add_handler(MessageHandler(waiting.document_for(app, upload.WAIT), upload.awaited_file))
    app.add_handler(MessageHandler(waiting.text_for(app, upload.WAIT), upload.awaited_text))
    app.add_handler(CallbackQueryHandler(upload.pressed, pattern=rf"^{upload.PREFIX}:"))


FEATURE = Feature(
    name="imports",
    callback_prefixes=(upload.PREFIX,),
    register=register,
    commands=tuple(Command(name, kind.roles) for name, kind in BY_COMMAND.items()),
)
