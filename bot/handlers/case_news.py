"""How a case's news reads in chat: the reporter's and the unit's messages, and reminders.

The cases domain returns `Notice`s (who, which catalogue key, which values); this module turns
each into the recipient's text, with the reporter's "answer" button where the case asks for
information, and sends them after the change is committed.
"""

from __future__ import annotations

from datetime import date

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.news import Notice
from bot.edge.context import Services
from bot.edge.sending import Sent, send_or_mark_blocked
from bot.handlers.contact import public_day, signed
from bot.settings import Settings
from kernel.i18n import Markup, t

REPORTER_INFO = "rep:info"
"""A reporter's "answer" button: `rep:info:<case number>` (the reports feature handles it)."""


def render(notice: Notice, settings: Settings) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text of a notice in the recipient's language, with its button if it has one; its
    dates read as in every chat message (ROC in Chinese, for staff too), and news to a reporter
    is signed by the branch."""
    language = notice.language or settings.default_language
    values = {
        k: public_day(v, language) if isinstance(v, date) else v for k, v in notice.values.items()
    }
    if notice.key == "cases.notify.ask":
        values["button"] = t(language, "cases.notify.answer_button")
    if notice.key == "reminders.overdue":
        values["lines"] = Markup(str(values["lines"]))
    if notice.key in ("cases.notify.new_case", "cases.notify.assigned_unit"):
        values["kind"] = t(language, f"cases.kinds.{values['kind']}")
    text = t(language, notice.key, **values)
    if notice.to_reporter:
        text = signed(text, settings, language)
    markup = None
    if notice.key == "cases.notify.ask":
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(language, "cases.notify.answer_button"),
                        callback_data=f"{REPORTER_INFO}:{notice.values['number']}",
                    )
                ]
            ]
        )
    return text, markup


async def send_notice(bot: Bot, services: Services, notice: Notice) -> Sent:
    """Send one notice; a chat that blocked the bot is marked blocked."""
    text, markup = render(notice, services.settings)
    return await send_or_mark_blocked(bot, services.db, notice.chat_id, text, reply_markup=markup)


async def send_notices(bot: Bot, services: Services, notices: list[Notice]) -> int:
    """Send each notice; returns how many Telegram took."""
    sent = 0
    for notice in notices:
        sent += await send_notice(bot, services, notice) == Sent.SENT
    return sent
