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
from storage.models.base import (
    ADMIN_ROLES,
    SECRETARIAT_ONLY_ROLES,
    SECRETARIAT_ROLES,
    STAFF_ROLES,
)
from storage.queries.audit import record_audit

logger = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

# The role sets are declared once, beside Role; a command's declaration and its handlers'
# checks name the same one.
STAFF = STAFF_ROLES
SECRETARIAT = SECRETARIAT_ROLES
SECRETARIAT_ONLY = SECRETARIAT_ONLY_ROLES
ADMIN = ADMIN_ROLES


MAX_DETAIL = 64
"""Callback data is at most 64 bytes; a command name at most 32 characters and its slash."""


def attempt(update: Update) -> str | None:
    """What a refusal's audit row keeps of the attempt: the button's data or the command,
    bounded. Never a message's text: a button sits on the bot's own message (a case card
    with a reporter's name and phone), and a command's arguments are free text."""
    if update.callback_query is not None:
        return (update.callback_query.data or "")[:MAX_DETAIL] or None
    message = update.effective_message
    text = message.text if message is not None else None
    if text and text.startswith("/"):
        return text.split(maxsplit=1)[0].partition("@")[0][:MAX_DETAIL]
    return None


async def audit_refused(
    update: Update,
    context: BotContext,
    *,
    action: str,
    target: str | None = None,
    detail: str | None = None,
) -> None:
    """Keep a refused attempt in the audit log: a wrong role, a stale button, a malformed
    answer (`detail` says which; never the person's text)."""
    user = update.effective_user
    logger.info("refused %s for user %s", action, user.id if user else None)
    await context.services.db.run(
        record_audit,
        actor_telegram_id=user.id if user else None,
        action=action,
        target=target,
        allowed=False,
        detail=detail[:MAX_DETAIL] if detail else None,
    )


async def refuse(update: Update, context: BotContext, action: str) -> None:
    """Tell the person politely that they may not do this, and audit the attempt."""
    await audit_refused(update, context, action=action, detail=attempt(update))
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
