"""build_application(settings) -> Application, with its start-up and shutdown hooks."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    Defaults,
    filters,
)
from telegram.request import BaseRequest

from bot.delivery import service as delivery
from bot.edge import callbacks, chats, registry, waiting
from bot.edge.context import BotApplication, BotContext, Services
from bot.edge.conversations import is_unchanged_edit
from bot.edge.features import Feature
from bot.edge.menus import set_default_menus, set_menu_for
from bot.edge.persistence import DatabasePersistence
from bot.edge.updates import PerChatUpdateProcessor
from bot.handlers import (
    admin,
    categories,
    filing,
    intake,
    profile,
    reminders,
    start,
    subscriptions,
    survey_admin,
    targets,
)
from bot.handlers import assessment as assessment_feature
from bot.handlers import cases as case_feature
from bot.handlers import courtesy as courtesy_feature
from bot.handlers import duties as duty_feature
from bot.handlers import imports as import_feature
from bot.handlers import improvements as improvement_feature
from bot.handlers import notices as notice_feature
from bot.handlers import surveys as survey_feature
from bot.handlers import training as training_feature
from bot.handlers import visits as visit_feature
from bot.jobs import (
    assessment_reminders,
    case_reminders,
    case_surveys,
    courtesy_reminders,
    duty_reminders,
    expiry_reminders,
    improvement_reminders,
    mail_digests,
    need_reminders,
)
from bot.jobs.loops import start_loop, stop_loops
from bot.mail.sender import MailSender, sender_for
from bot.settings import Settings
from bot.web import app as public_site
from kernel.i18n import t
from storage.db import Database
from storage.models import Role
from storage.queries.people import fetch_person_view, fetch_staff_telegram_ids

logger = logging.getLogger(__name__)


def features() -> list[Feature]:
    """Every feature, in /help order: firms' features first, staff ones after."""
    return [
        start.FEATURE,
        subscriptions.FEATURE,
        profile.FEATURE,
        reminders.FEATURE,
        filing.FEATURE,
        admin.FEATURE,
        notice_feature.FEATURE,
        categories.FEATURE,
        case_feature.FEATURE,
        intake.FEATURE,
        courtesy_feature.FEATURE,
        assessment_feature.FEATURE,
        targets.FEATURE,
        visit_feature.FEATURE,  # before surveys: its /skip is a step of /visit, not an answer
        survey_feature.FEATURE,
        improvement_feature.FEATURE,
        survey_admin.FEATURE,
        import_feature.FEATURE,
        duty_feature.FEATURE,
        training_feature.FEATURE,
    ]


MAIL_SENDER = "mail_sender"


def mail_sender(settings: Settings, db: Database) -> MailSender:
    """The e-mail sender of these settings (a relay, or .eml files without SMTP_URL)."""
    smtp = settings.smtp
    dkim = None
    if settings.dkim_domain and settings.dkim_selector and settings.dkim_key_file:
        dkim = (settings.dkim_domain, settings.dkim_selector, settings.dkim_key_file)
    return sender_for(
        db,
        smtp=None if smtp is None else vars(smtp),
        drop_dir=settings.mail_drop_dir,
        mail_from=settings.mail_from,
        base_url=settings.public_url,
        tz=settings.tz,
        rate=settings.mail_rate,
        dkim=dkim,
    )


async def post_init(app: BotApplication) -> None:
    """Set the command menus; start the delivery worker, the public pages and the reminder
    loops."""
    services: Services = app.bot_data["services"]
    await set_default_menus(app.bot, services.settings.default_language)
    staff = await services.db.run_read(fetch_staff_telegram_ids)
    for admin_id in services.admin_ids:
        staff.setdefault(admin_id, frozenset())
    for telegram_id in staff:
        person = await services.db.run_read(
            fetch_person_view, telegram_id=telegram_id, admin_ids=services.admin_ids
        )
        roles = person.roles if person else staff[telegram_id]
        if telegram_id in services.admin_ids:
            roles = roles | {Role.ADMIN}
        language = (person.language if person else None) or services.settings.default_language
        if roles:
            await set_menu_for(app.bot, telegram_id, roles, language)
    await delivery.start_worker(app)
    app.bot_data[MAIL_SENDER] = mail_sender(services.settings, services.db)
    app.bot_data[MAIL_SENDER].start()
    app.bot_data["web"] = await public_site.start(services.settings, services.db)
    start_loop(app, "case-reminders", case_reminders.step, every=case_reminders.CHECK_EVERY)
    start_loop(
        app, "courtesy-reminders", courtesy_reminders.step, every=courtesy_reminders.CHECK_EVERY
    )
    start_loop(
        app,
        "assessment-reminders",
        assessment_reminders.step,
        every=assessment_reminders.CHECK_EVERY,
    )
    start_loop(app, "duty-reminders", duty_reminders.step, every=duty_reminders.CHECK_EVERY)
    start_loop(app, "expiry-reminders", expiry_reminders.step, every=expiry_reminders.CHECK_EVERY)
    start_loop(
        app,
        "improvement-reminders",
        improvement_reminders.step,
        every=improvement_reminders.CHECK_EVERY,
    )
    start_loop(app, "case-surveys", case_surveys.step, every=case_surveys.CHECK_EVERY)
    start_loop(app, "mail-digests", mail_digests.step, every=mail_digests.CHECK_EVERY)
    start_loop(app, "need-reminders", need_reminders.step, every=need_reminders.CHECK_EVERY)


async def post_shutdown(app: BotApplication) -> None:
    """Stop background work and the public pages, then release the database."""
    await stop_loops(app)
    await public_site.stop(app.bot_data.pop("web", None))
    await delivery.stop_worker(app)
    if (sender := app.bot_data.pop(MAIL_SENDER, None)) is not None:
        await sender.stop()
    services: Services = app.bot_data["services"]
    services.db.dispose()


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with its traceback; tell the person in one sentence, never a traceback.

    The sentence is the update's only answer: python-telegram-bot goes on to the next handler
    groups after an error (where e.g. the unknown-command catch-all would answer too) unless
    the error handler raises ApplicationHandlerStop. Group 1 ends a person's waits for a text
    on any command; a failing command still does that here.

    A button whose handler found its data malformed is a stale button, not a fault: answered
    as such and logged at INFO without a traceback (see bot/edge/callbacks.py). So is an edit
    Telegram refuses because it would change nothing (the same button pressed twice): the
    message already says what the press would make it say."""
    error = context.error
    if error is not None and is_unchanged_edit(error):
        logger.info("an edit that changed nothing was refused: %s", error)
        raise ApplicationHandlerStop
    if (
        isinstance(update, Update)
        and update.callback_query is not None
        and error is not None
        and callbacks.raised_while_parsing(error)
    ):
        await callbacks.answer_stale(update, context, f"{type(error).__name__}: {error}")
        raise ApplicationHandlerStop
    logger.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    if update.effective_chat is not None:
        try:
            user = update.effective_user
            if context.person is None and user is not None:
                # The error handler gets a fresh context: find the person's language again.
                context.telegram_language = user.language_code
                context.person = await context.services.db.run_read(
                    fetch_person_view, telegram_id=user.id
                )
            await context.bot.send_message(
                update.effective_chat.id, t(context.lang, "errors.internal")
            )
        except Exception:  # the error reply is best effort; the first error is already logged
            logger.warning("could not tell the user about the error", exc_info=True)
    if update.message is not None and filters.COMMAND.check_update(update):
        await waiting.end_waits_on_command(update, context)
    raise ApplicationHandlerStop


ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for Updater.start_webhook / Application.run_webhook.

    The URL path is the bot id (never the token); Telegram must send the secret token header,
    and python-telegram-bot refuses any request without it (HTTP 403)."""
    token = settings.require_token()
    assert settings.webhook_url is not None and settings.webhook_secret_token is not None
    path = "telegram-" + token.split(":")[0]
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": path,
        "webhook_url": settings.webhook_url.rstrip("/") + "/" + path,
        "secret_token": settings.webhook_secret_token.get_secret_value(),
        "allowed_updates": ALLOWED_UPDATES,
    }


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    db: Database | None = None,
    rate_limiter: bool = True,
) -> BotApplication:
    """The bot with every feature's handlers, ready for polling or a webhook."""
    token = settings.require_token()
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    if request is not None:
        builder = builder.request(request)
    if rate_limiter:
        # Only the immediate answers to a user's own update go through this bot (everything
        # else is the outbox's): a 429 on one is retried once, after its retry_after, rather
        # than dropped. Per-chat pacing of broadcasts is the delivery worker's job
        # (AIORateLimiter does not pace private chats).
        builder = builder.rate_limiter(AIORateLimiter(max_retries=1))
    builder = builder.defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
    builder = builder.concurrent_updates(PerChatUpdateProcessor())
    database = db or Database(settings.database_url)
    builder = builder.persistence(DatabasePersistence(database))
    app: BotApplication = builder.build()
    app.bot_data["services"] = Services(settings=settings, db=database)
    installed = features()
    registry.install(installed)
    for feature in installed:
        before = {id(h) for group in app.handlers.values() for h in group}
        feature.register(app)
        added = [h for group in app.handlers.values() for h in group if id(h) not in before]
        registry.check_patterns(feature, added)
        registry.check_roles(feature, added)
    start.register_fallbacks(app)
    callbacks.register_fallback(app)
    chats.register(app)
    callbacks.register(app)
    app.add_error_handler(on_error)
    return app
