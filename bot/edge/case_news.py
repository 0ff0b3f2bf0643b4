"""How a case's news reads in chat: the reporter's and the staff's messages, and reminders.

The cases domain writes `CaseNews` (who, which catalogue key, which values) to the outbox; the
delivery worker's composer (`bot/delivery/composers.py`) turns each into the recipient's text
here, when it sends it: in the recipient's language, with the reporter's "answer" button where
the case asks for information, dates as the public reads them and the branch's signature on
news to a reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardMarkup

from bot.cases.news import CaseNews
from bot.edge.contact import public_day, signed
from bot.edge.keyboards import keyboard
from bot.settings import Settings
from kernel.i18n import Markup, t
from kernel.outgoing import Button, Part
from storage.queries.outbox.texts import load_values

REPORTER_INFO = "rep:info"
"""A reporter's "answer" button: `rep:info:<case number>` (the reports feature handles it)."""


def compose(notice: CaseNews, settings: Settings) -> Part:
    """The message of a notice in the recipient's language, with its button if it has one; its
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
    if notice.key == "cases.notify.ask":
        button = Button(
            t(language, "cases.notify.answer_button"),
            f"{REPORTER_INFO}:{notice.values['number']}",
        )
        return Part(text, ((button,),))
    return Part(text)


def render(notice: CaseNews, settings: Settings) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text of a notice and its keyboard, as the recipient gets them."""
    part = compose(notice, settings)
    return part.text, keyboard(part)


@dataclass(frozen=True)
class StoredNews:
    """A text of the outbox (`OutboxText`) as the worker sends it, rendered per language."""

    key: str
    values: str
    public: bool
    settings: Settings

    def parts(self, language: str) -> list[Part]:
        notice = CaseNews(
            chat_id=0,
            language=language,
            key=self.key,
            values=load_values(self.values),
            to_reporter=self.public,
        )
        return [compose(notice, self.settings)]
