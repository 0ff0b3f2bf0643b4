"""The e-mail subscription pages: the form (its POST asks for a confirmation e-mail), the
confirmation link (GET shows one button, POST subscribes), the page to manage a subscription,
and the one-click unsubscribe of RFC 8058. A link's GET never changes anything: mail scanners
fetch links. No page tells whether an address is subscribed or pending."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from aiohttp import web

from bot.mail import subscribing
from bot.mail.subscribing import Choice
from bot.notices.categories import category_name
from bot.settings import Settings
from bot.web.frame import DATABASE, SETTINGS, language_of, link, render
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import LANGUAGES
from kernel.reporting import plain
from storage.models import Category
from storage.queries.notices import fetch_categories

LANGUAGE_NAMES = {"zh-TW": "中文", "en": "English"}
"""Each language named in itself, as a choice of the e-mails' language."""
FIELD_OF = {
    "mail.address_empty": "address",
    "mail.address_invalid": "address",
    "mail.address_too_long": "address",
    "mail.no_category": "categories",
    "mail.unknown_category": "categories",
    "mail.bad_frequency": "frequency",
    "mail.bad_language": "language",
}
"""Which field a domain's refusal is about (the message is shown beside it)."""
SAME_SITE = ("same-origin", "none")
ONE_CLICK = ("List-Unsubscribe", "One-Click")


@dataclass(frozen=True)
class Filled:
    """A subscription form as the person filled it in (kept when it is shown again)."""

    address: str = ""
    codes: tuple[str, ...] = ()
    frequency: str = subscribing.FREQUENCIES[0]
    language: str = "zh-TW"


@dataclass(frozen=True)
class Problem:
    """What is wrong with a form: one sentence, and the field it is about (None: the form)."""

    message: str
    field: str | None = None


def client_of(request: web.Request, trusted: Sequence[str]) -> str | None:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest
    address in X-Forwarded-For that is not one."""
    peer = request.remote
    if peer not in trusted:
        return peer
    hops = [h.strip() for v in request.headers.getall("X-Forwarded-For", []) for h in v.split(",")]
    for hop in reversed(hops):
        try:
            hop = str(ip_address(hop))
        except ValueError:
            return peer
        if hop not in trusted:
            return hop
    return peer


def from_this_site(request: web.Request, settings: Settings) -> bool:
    """Whether a form was posted from the site's own pages: by the browser's Sec-Fetch-Site,
    else by Origin; a client that sends neither (curl, an old browser) is let through."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in SAME_SITE
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":  # no-referrer pages post `null` from old browsers
        return True
    theirs, ours = urlsplit(origin), urlsplit(settings.public_url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc) or (
        theirs.netloc == request.host
    )


def _problem(language: str, error: UserError) -> Problem:
    return Problem(plain(language, error.key, **error.values), FIELD_OF.get(error.key))


def _choice_names(choice: Choice, language: str) -> dict[str, str]:
    separator = "、" if language == "zh-TW" else ", "
    return {
        "address": choice.address,
        "categories": separator.join(category_name(c, language) for c in choice.categories),
        "frequency": plain(language, f"mail.frequency.{choice.frequency}"),
        "language": LANGUAGE_NAMES.get(choice.language, choice.language),
    }


async def _read_form(request: web.Request) -> Filled:
    form = await request.post()
    language = str(form.get("language", "")) or language_of(request)
    return Filled(
        address=str(form.get("address", "")),
        codes=tuple(str(c) for c in form.getall("category", [])),
        frequency=str(form.get("frequency", "")),
        language=language,
    )


async def _categories(request: web.Request) -> list[Category]:
    return await request.app[DATABASE].run_read(fetch_categories)


def _message_page(
    request: web.Request,
    title_key: str,
    *,
    message: str,
    status: int = 200,
    choice: Choice | None = None,
    button: tuple[str, str] | None = None,
    hidden: tuple[str, str] | None = None,
    links: Sequence[tuple[str, str]] = (),
) -> web.Response:
    """A page of one message: what was subscribed, one button (label, action) posting
    `hidden` (name, value), links."""
    language = language_of(request)
    return render(
        request,
        "email_message.html.j2",
        title=plain(language, title_key),
        status=status,
        message=message,
        choice=None if choice is None else _choice_names(choice, language),
        button=button,
        hidden=hidden,
        links=links,
    )


def _form_again(language: str) -> tuple[str, str]:
    return (plain(language, "web.email.form_again"), link("/email/subscribe", language))


def _link_refused(request: web.Request, error: UserError) -> web.Response:
    """An unknown or expired link: one sentence and the way back to the form. A confirmation
    link pressed a second time is neither: it says so, with the link to manage the
    subscription (the same token, kept as a manage link when it was first confirmed)."""
    language = language_of(request)
    if error.key == "mail.already_confirmed":
        return _message_page(
            request,
            "web.email.confirmed_title",
            message=plain(language, error.key),
            links=[
                (
                    plain(language, "web.email.manage_link"),
                    link(f"/email/manage/{request.match_info['token']}", language),
                ),
                (plain(language, "web.nav_notices"), link("/notices/", language)),
            ],
        )
    return _message_page(
        request,
        "web.email.link_title",
        message=plain(language, error.key, **error.values),
        status=410 if error.key == "mail.link_expired" else 404,
        links=[_form_again(language)],
    )


def _cross_site(request: web.Request) -> web.Response:
    language = language_of(request)
    return _message_page(
        request,
        "web.email.cross_site_title",
        message=plain(language, "web.email.cross_site"),
        status=403,
        links=[_form_again(language)],
    )


async def _subscribe_form(
    request: web.Request, filled: Filled, problem: Problem | None, status: int = 200
) -> web.Response:
    language = language_of(request)
    title = plain(language, "web.email.subscribe_title")
    return render(
        request,
        "email_subscribe.html.j2",
        title=title if problem is None else plain(language, "web.email.error_title", title=title),
        status=status,
        filled=filled,
        problem=problem,
        categories=await _categories(request),
        name=lambda category: category_name(category, language),
        frequencies=subscribing.FREQUENCIES,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    )


async def subscribe_page(request: web.Request) -> web.Response:
    """GET /email/subscribe: the form."""
    return await _subscribe_form(request, Filled(language=language_of(request)), None)


async def subscribe(request: web.Request) -> web.Response:
    """POST /email/subscribe: ask for a confirmation e-mail; the same page whether or not one
    went (an address pending or subscribed is not told apart)."""
    settings = request.app[SETTINGS]
    if not from_this_site(request, settings):
        return _cross_site(request)
    filled = await _read_form(request)
    language = language_of(request)
    try:
        done = await request.app[DATABASE].run(
            subscribing.request_subscription,
            address=filled.address,
            categories=filled.codes,
            frequency=filled.frequency,
            language=filled.language,
            client=client_of(request, settings.web_trusted_proxies),
            now=utcnow(),
        )
    except UserError as error:
        status = 429 if error.key == "mail.too_many_requests" else 400
        return await _subscribe_form(request, filled, _problem(language, error), status)
    return _message_page(
        request,
        "web.email.sent_title",
        message=plain(language, "web.email.sent", address=done.address),
        links=[(plain(language, "web.back"), link("/notices/", language))],
    )


async def confirm_page(request: web.Request) -> web.Response:
    """GET /email/confirm/<token>: what confirming subscribes, and one button; no change."""
    token = request.match_info["token"]
    try:
        choice = await request.app[DATABASE].run_read(
            subscribing.requested_choice, token=token, now=utcnow()
        )
    except UserError as error:
        return _link_refused(request, error)
    language = language_of(request)
    return _message_page(
        request,
        "web.email.confirm_title",
        message=plain(language, "web.email.confirm_ask"),
        choice=choice,
        button=(plain(language, "web.email.confirm_button"), request.path_qs),
    )


async def confirm(request: web.Request) -> web.Response:
    """POST /email/confirm/<token>: subscribe; what was subscribed, with the links onwards."""
    if not from_this_site(request, request.app[SETTINGS]):
        return _cross_site(request)
    try:
        confirmed = await request.app[DATABASE].run(
            subscribing.confirm, token=request.match_info["token"], now=utcnow()
        )
    except UserError as error:
        return _link_refused(request, error)
    language = language_of(request)
    return _message_page(
        request,
        "web.email.confirmed_title",
        message=plain(language, "web.email.confirmed"),
        choice=confirmed.choice,
        links=[
            (
                plain(language, "web.email.manage_link"),
                link(f"/email/manage/{confirmed.token}", language),
            ),
            (plain(language, "web.nav_notices"), link("/notices/", language)),
        ],
    )


async def _manage_form(
    request: web.Request,
    choice: Choice,
    filled: Filled,
    *,
    problem: Problem | None = None,
    saved: bool = False,
    status: int = 200,
) -> web.Response:
    language = language_of(request)
    token = request.match_info["token"]
    title = plain(language, "web.email.manage_title")
    return render(
        request,
        "email_manage.html.j2",
        title=title if problem is None else plain(language, "web.email.error_title", title=title),
        status=status,
        choice=_choice_names(choice, language),
        filled=filled,
        problem=problem,
        saved=saved,
        action=request.path_qs,
        leave_action=link(f"/email/unsubscribe/{token}", language),
        one_click=ONE_CLICK,
        categories=await _categories(request),
        name=lambda category: category_name(category, language),
        frequencies=subscribing.FREQUENCIES,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    )


def _filled(choice: Choice) -> Filled:
    return Filled(
        address=choice.address,
        codes=tuple(c.code for c in choice.categories),
        frequency=choice.frequency,
        language=choice.language,
    )


async def manage_page(request: web.Request) -> web.Response:
    """GET /email/manage/<token>: the current choice and the form to change it or leave."""
    try:
        choice = await request.app[DATABASE].run_read(
            subscribing.current_choice, token=request.match_info["token"]
        )
    except UserError as error:
        return _link_refused(request, error)
    return await _manage_form(request, choice, _filled(choice))


async def manage(request: web.Request) -> web.Response:
    """POST /email/manage/<token>: apply the change (no category at all unsubscribes)."""
    if not from_this_site(request, request.app[SETTINGS]):
        return _cross_site(request)
    token = request.match_info["token"]
    filled = await _read_form(request)
    database = request.app[DATABASE]
    try:
        changed = await database.run(
            subscribing.change,
            token=token,
            categories=filled.codes,
            frequency=filled.frequency,
            language=filled.language,
        )
    except UserError as error:
        if error.key == "mail.link_unknown":
            return _link_refused(request, error)
        try:
            choice = await database.run_read(subscribing.current_choice, token=token)
        except UserError as gone:
            return _link_refused(request, gone)
        problem = _problem(language_of(request), error)
        return await _manage_form(request, choice, filled, problem=problem, status=400)
    if changed is None:
        return _left(request)
    return await _manage_form(request, changed, _filled(changed), saved=True)


async def unsubscribe_page(request: web.Request) -> web.Response:
    """GET /email/unsubscribe/<token>: one button; nothing changes, nothing is looked up."""
    language = language_of(request)
    return _message_page(
        request,
        "web.email.unsubscribe_title",
        message=plain(language, "web.email.unsubscribe_ask"),
        button=(plain(language, "web.email.unsubscribe_button"), request.path_qs),
        hidden=ONE_CLICK,
    )


def _left(request: web.Request) -> web.Response:
    language = language_of(request)
    return _message_page(
        request,
        "web.email.unsubscribed_title",
        message=plain(language, "web.email.unsubscribed"),
        links=[_form_again(language)],
    )


async def unsubscribe(request: web.Request) -> web.Response:
    """POST /email/unsubscribe/<token> (RFC 8058 one-click, or the page's button): delete the
    address; 200 and the same page whether or not it was subscribed, and when repeated. No
    cookie, no form token, no check of the posting site: mail programs post it themselves."""
    await request.read()  # any body: `List-Unsubscribe=One-Click`, urlencoded or multipart
    await request.app[DATABASE].run(subscribing.unsubscribe, token=request.match_info["token"])
    return _left(request)
