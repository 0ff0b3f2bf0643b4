"""What every conversation shares: its /cancel, the answer to a button of an ended one, and
edits that may change nothing.

Each feature makes its own with one call, naming its state key in `user_data` and its texts, so
the handlers differ only in what they say, not in how they treat the callback query.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import ConversationHandler

from bot.edge.context import BotContext
from kernel.i18n import t

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, int]]
logger = logging.getLogger(__name__)

StaleCallback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def is_unchanged_edit(error: BaseException) -> bool:
    """Whether `error` is Telegram refusing an edit that would change nothing."""
    return isinstance(error, BadRequest) and "not modified" in str(error).lower()


@contextlib.contextmanager
def unchanged_is_fine() -> Iterator[None]:
    """A second press of the same button asks Telegram for an edit that changes nothing;
    Telegram refuses it ("message is not modified"), which is no error here."""
    try:
        yield
    except BadRequest as exc:
        if not is_unchanged_edit(exc):
            raise


def cancel_handler(
    state_key: str,
    text_key: str,
    *,
    edit_button_message: bool = False,
    remove_reply_keyboard: bool = False,
) -> Callback:
    """A /cancel (or Cancel button) that drops `state_key` and says `text_key`.

    A button is answered once, first; its message is then edited to the text when
    `edit_button_message`, else the text is sent as a reply. `remove_reply_keyboard` takes
    away a reply keyboard the conversation put up (e.g. the contact-sharing one).
    """

    async def cancel(update: Update, context: BotContext) -> int:
        """Leave the conversation; nothing of it is kept."""
        if context.user_data is not None:
            context.user_data.pop(state_key, None)
        text = t(context.lang, text_key)
        query = update.callback_query
        if query is not None:
            await query.answer()
            if edit_button_message:
                with contextlib.suppress(BadRequest):  # too old to edit, or already that text
                    await query.edit_message_text(text)
                    return ConversationHandler.END
        message = update.effective_message
        if message is not None:
            markup = ReplyKeyboardRemove() if remove_reply_keyboard else None
            if query is not None and update.effective_chat is not None:
                await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
            else:
                await message.reply_text(text, reply_markup=markup)
        return ConversationHandler.END

    cancel.__name__ = f"cancel_{state_key}"
    return cancel


def stale_button_handler(text_key: str, *, remove_buttons: bool = False) -> StaleCallback:
    """The one answer to a button of a conversation that has ended: `text_key` as an alert.

    With `remove_buttons` the old message also loses its keyboard, so it is not pressed again.
    """

    async def stale(update: Update, context: BotContext) -> None:
        """A button from an earlier step or an ended conversation: say so, change nothing."""
        query = update.callback_query
        assert query is not None
        user = update.effective_user
        logger.info(
            "stale or unknown button %r from user %s",
            (query.data or "")[:64],
            user.id if user else None,
        )
        await query.answer(t(context.lang, text_key), show_alert=True)
        if remove_buttons:
            with contextlib.suppress(BadRequest):  # already without buttons, or too old to edit
                await query.edit_message_reply_markup(None)

    stale.__name__ = f"stale_{text_key.replace('.', '_')}"
    return stale
