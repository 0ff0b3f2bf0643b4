"""The public site as an aiohttp application: its routes, the security headers every answer
carries, the error pages (404 for anything not found or not public, 400 for a query it cannot
read, never a traceback), and its start and stop beside the bot in `bsmi-desk run`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.settings import Settings, SettingsError
from bot.web import archive, feeds, health, subscriptions
from bot.web.frame import DATABASE, SETTINGS, language_of, link, render
from bot.web.richtext import to_page
from kernel import pages, templating
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.reporting import plain
from storage.db import Database

logger = logging.getLogger(__name__)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
"""On every answer: no script runs, styles only from the site, not framed, no referrer."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def privacy(request: web.Request) -> web.Response:
    """GET /privacy: the privacy statement, the same catalogue text as the chat's /privacy."""
    language = language_of(request)
    settings = request.app[SETTINGS]
    unset = t(language, "contact.unset")
    text = t(
        language,
        "privacy.text",
        phone=settings.branch_contact_phone or unset,
        address=settings.branch_contact_address or unset,
    )
    title = plain(language, "web.privacy_title")
    return render(request, "privacy.html.j2", title=title, text=to_page(text))


async def stylesheet(request: web.Request) -> web.Response:
    """GET /static/site.css: the pages' one stylesheet (its page numbers in the language)."""
    language = language_of(request)
    frame = pages.page(language, "", utcnow(), roc=False)
    css = templating.render("web/site.css.j2", counter=frame.page_counter_css)
    return web.Response(
        text=css,
        content_type="text/css",
        charset="utf-8",
        headers={"Cache-Control": "max-age=3600"},
    )


async def home(request: web.Request) -> web.Response:
    """GET /: the archive is the site's front page."""
    raise web.HTTPFound(link("/notices/", language_of(request)))


def _error_page(request: web.Request, status: int, key: str) -> web.Response:
    language = language_of(request)
    title_key = "web.not_found_title" if status == 404 else "web.bad_request_title"
    if status >= 500:
        title_key, key = "web.error_title", "errors.internal"
    return render(
        request,
        "error.html.j2",
        title=plain(language, title_key),
        status=status,
        message=plain(language, key),
    )


@web.middleware
async def answers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Error pages in one sentence, and the security headers on every answer."""
    try:
        response = await handler(request)
    except archive.BadRequest as bad:
        response = _error_page(request, 400, bad.key)
    except web.HTTPNotFound:
        response = _error_page(request, 404, "web.not_found")
    except web.HTTPException as other:  # redirects, 405: aiohttp's own answer
        other.headers.update(HEADERS)
        raise
    except Exception:
        logger.exception("error while serving %s", request.path)
        response = _error_page(request, 500, "errors.internal")
    response.headers.update(HEADERS)
    return response


def build(settings: Settings, db: Database) -> web.Application:
    """The site's application; the route table is the place to add a page."""
    app = web.Application(middlewares=[answers])
    app[SETTINGS] = settings
    app[DATABASE] = db
    app.add_routes(
        [
            web.get("/", home),
            web.get("/notices/", archive.notice_list),
            web.get(r"/notices/{notice_id:[0-9]+}", archive.notice_page),
            web.get(r"/notices/{notice_id:[0-9]+}/files/{name}", archive.notice_file),
            web.get(r"/feeds/{name:[A-Za-z0-9_-]+}.atom", feeds.feed),
            web.get("/email/subscribe", subscriptions.subscribe_page),
            web.post("/email/subscribe", subscriptions.subscribe),
            web.get("/email/confirm/{token}", subscriptions.confirm_page),
            web.post("/email/confirm/{token}", subscriptions.confirm),
            web.get("/email/manage/{token}", subscriptions.manage_page),
            web.post("/email/manage/{token}", subscriptions.manage),
            web.get("/email/unsubscribe/{token}", subscriptions.unsubscribe_page),
            web.post("/email/unsubscribe/{token}", subscriptions.unsubscribe),
            web.get("/privacy", privacy),
            web.get("/static/site.css", stylesheet),
            web.get("/healthz", health.healthz),
            web.get("/readyz", health.readyz),
        ]
    )
    return app


async def start(settings: Settings, db: Database) -> web.AppRunner | None:
    """Serve the site on WEB_LISTEN:WEB_PORT (None when WEB_PORT is 0); SettingsError, one
    sentence naming the settings, when that address cannot be listened on."""
    if settings.web_port == 0:
        return None
    runner = web.AppRunner(build(settings, db), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_listen, settings.web_port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(
            f"The public pages cannot be served on {settings.web_listen}:{settings.web_port} "
            f"({exc.strerror or exc}): set WEB_LISTEN and WEB_PORT to a free address, or "
            "WEB_PORT=0 not to serve them."
        ) from None
    logger.info(
        "public pages served on %s:%s, reached at %s",
        settings.web_listen,
        settings.web_port,
        settings.public_url,
    )
    return runner


async def stop(runner: web.AppRunner | None) -> None:
    """Stop serving; requests in flight finish first."""
    if runner is not None:
        await runner.cleanup()
