"""Role checks on the server side, for every staff handler, every time."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot.edge.context import BotContext
from kernel.i18n import t
from storage.models import Role
from storage.queries.people import record_audit

logger = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

STAFF = (Role.INSPECTOR, Role.SECRETARIAT, Role.ADMIN)
SECRETARIAT = (Role.SECRETARIAT, Role.ADMIN)
ADMIN = (Role.ADMIN,)


async def refuse(update: Update, context: BotContext, action: str) -> None:
    """Tell the person politely that they may not do this, and log the attempt."""
    user = update.effective_user
    logger.info("refused %s for user %s", action, user.id if user else None)
    await context.services.db.run(
        record_audit,
        actor_telegram_id=user.id if user else None,
        action=action,
        allowed=False,
        detail=(update.effective_message.text if update.effective_message else None),
    )
    text = t(context.lang, "access.denied")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def requires(*roles: Role) -> Callable[[H], H]:
    """Run the handler only for a person holding one of `roles`; refuse and audit otherwise."""
    allowed = frozenset(roles)

    def decorate(handler: H) -> H:
        @functools.wraps(handler)
        async def checked(update: Update, context: BotContext) -> Any:
            person = context.person
            if person is None or not person.has_any(allowed):
                await refuse(update, context, f"denied:{handler.__name__}")
                return ConversationHandler.END
            return await handler(update, context)

        checked.required_roles = allowed  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate
