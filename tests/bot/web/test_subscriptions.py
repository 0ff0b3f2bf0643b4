"""The e-mail subscription pages against a real SMTP server on 127.0.0.1: the form sends one
confirmation e-mail, its link's GET changes nothing and its POST subscribes, a notice then
arrives once with both List-Unsubscribe headers, the one-click POST answers 200 without a
redirect (urlencoded and multipart, and again), and the next notice does not arrive. Expired
links, a repeated request, bad input, cross-site posts and the client behind a proxy too."""

from __future__ import annotations

import email
import html
import re
from datetime import timedelta
from email import policy
from email.message import Message

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.mail import subscribing
from bot.mail.sender import MailSender
from bot.notices.publishing import publish
from bot.settings import Settings, SettingsError, load_settings
from bot.web.app import build
from kernel.clock import utcnow
from kernel.reporting import plain
from storage.db import Database
from storage.models import Category, EmailSubscriber
from storage.models.mail import EmailRequest
from tests.bot.mail.conftest import Inbox
from tests.bot.mail.test_sender import link as token_in

ADDRESS = "mei@example.com"
FORM = {"address": "Mei@Example.com", "frequency": "immediately", "language": "zh-TW"}


def form(**changes: object) -> list[tuple[str, str]]:
    """The subscription form's fields (categories `rpc` unless `category` says otherwise)."""
    fields = {**FORM, "category": ["rpc"], **changes}
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        pairs += [(name, str(v)) for v in values]
    return pairs


async def drain(sender: MailSender) -> None:
    while await sender.send_due():
        pass


def mails(inbox: Inbox, address: str = ADDRESS) -> list[Message]:
    return [
        email.message_from_bytes(data, policy=policy.default)
        for rcpt, data in inbox.received
        if rcpt == address
    ]


def main_of(page: str) -> str:
    """The page's <main>, unescaped (what differs between two answers, without the clock)."""
    found = re.search(r"<main id=\"main\">(.*)</main>", page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def subscribers(db: Database) -> list[EmailSubscriber]:
    with db.reading() as session:
        return list(session.exec(select(EmailSubscriber)).all())


def release(db: Database, title: str) -> int:
    return db.call(
        lambda session: publish(
            session, title=title, body="內容", codes=["rpc"], created_by_id=None, now=utcnow()
        )
    ).notice_id


async def confirmed_token(site: TestClient, inbox: Inbox, sender: MailSender) -> str:
    """Subscribe ADDRESS through the form and its link; the page's manage token."""
    assert (await site.post("/email/subscribe", data=form())).status == 200
    await drain(sender)
    confirm = token_in(mails(inbox)[-1], "confirm")
    page = await (await site.post(f"/email/confirm/{confirm}")).text()
    found = re.search(r'href="/email/manage/([A-Za-z0-9_-]+)"', page)
    assert found is not None, page
    return found.group(1)


async def test_the_form_its_link_a_notice_and_one_click_out(
    site: TestClient, db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    db.call(
        lambda session: session.get(Category, 6).__setattr__("retired_at", utcnow())  # type: ignore[union-attr]
    )
    page = await (await site.get("/email/subscribe")).text()
    assert re.findall(r'name="category" value="([a-z]+)"', page) == [
        "cns", "rpc", "type", "batch", "regulated", "origin", "market", "events"
    ]  # fmt: skip
    assert "驗證登錄" in page and "每日摘要" in page and 'href="/privacy"' in page
    english = await (await site.get("/email/subscribe?lang=en")).text()
    assert "Registration of Product Certification" in english
    assert 'action="/email/subscribe?lang=en"' in english

    answer = await site.post("/email/subscribe", data=form())
    assert answer.status == 200
    assert "mei@example.com" in main_of(await answer.text()) and "7 天" in await answer.text()
    await drain(mail_sender)
    [confirmation] = mails(inbox)
    confirm = token_in(confirmation, "confirm")

    shown = await site.get(f"/email/confirm/{confirm}")
    text = main_of(await shown.text())
    assert shown.status == 200 and "確認訂閱</button>" in text and "驗證登錄" in text
    assert subscribers(db) == []  # a scanner's GET subscribes nobody
    release(db, "確認前的公告")
    await drain(mail_sender)
    assert len(inbox.received) == 1

    done = await site.post(f"/email/confirm/{confirm}")
    text = main_of(await done.text())
    assert done.status == 200
    assert "驗證登錄" in text and "每則即時寄送" in text and "中文" in text
    assert 'href="/email/manage/' in text and 'href="/notices/"' in text
    assert [s.address for s in subscribers(db)] == [ADDRESS]
    # the same link pressed again (a double click, the e-mail opened later): already confirmed,
    # with the way to manage the subscription, which that link now opens
    for again in (
        await site.post(f"/email/confirm/{confirm}"),
        await site.get(f"/email/confirm/{confirm}"),
    ):
        text = main_of(await again.text())
        assert again.status == 200, text
        assert plain("zh-TW", "mail.already_confirmed") in text
        assert f'href="/email/manage/{confirm}"' in text
    manage = await site.get(f"/email/manage/{confirm}")
    assert manage.status == 200 and "驗證登錄" in await manage.text()
    assert [s.address for s in subscribers(db)] == [ADDRESS]

    notice_id = release(db, "新制公告")
    await drain(mail_sender)
    await drain(mail_sender)
    [notice] = mails(inbox)[1:]
    assert notice["Subject"] == "新制公告"
    assert f"/notices/{notice_id}" in next(notice.iter_parts()).get_content()  # type: ignore[attr-defined]
    header = notice["List-Unsubscribe"]
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = re.fullmatch(r"<http://127\.0\.0\.1:8080(/email/unsubscribe/[A-Za-z0-9_-]+)>", header)
    assert found is not None, header
    leave = found.group(1)

    page = await site.get(leave)
    assert page.status == 200 and "取消訂閱</button>" in await page.text()
    assert [s.address for s in subscribers(db)] == [ADDRESS]  # GET changes nothing

    multipart = aiohttp.FormData({"List-Unsubscribe": "One-Click"}, default_to_multipart=True)
    for _ in range(2):
        for body in ({"List-Unsubscribe": "One-Click"}, multipart):
            out = await site.post(leave, data=body, allow_redirects=False)
            assert out.status == 200 and "Location" not in out.headers
            assert plain("zh-TW", "web.email.unsubscribed") in await out.text()
            assert subscribers(db) == []
    sent = out.request_info.headers.get("Content-Type", "")
    assert sent.startswith("multipart/form-data")

    release(db, "退訂後的公告")
    await drain(mail_sender)
    assert len(mails(inbox)) == 2


async def test_a_second_request_within_ten_minutes_sends_nothing_and_shows_the_same_page(
    site: TestClient, db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    first = await site.post("/email/subscribe", data=form())
    second = await site.post("/email/subscribe", data=form(frequency="weekly"))
    assert (first.status, second.status) == (200, 200)
    assert main_of(await first.text()) == main_of(await second.text())
    await drain(mail_sender)
    assert len(mails(inbox)) == 1
    # a subscribed address asking again gets the same page too (no one learns who is in)
    token = await confirmed_token(site, inbox, mail_sender)
    assert token
    again = await site.post("/email/subscribe", data=form())
    assert main_of(await again.text()) == main_of(await first.text())


async def test_an_expired_or_unknown_confirmation_link_says_so_and_subscribes_nobody(
    site: TestClient, db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    await site.post("/email/subscribe", data=form())
    await drain(mail_sender)
    confirm = token_in(mails(inbox)[0], "confirm")

    def age(session) -> None:  # type: ignore[no-untyped-def]
        for request in session.exec(select(EmailRequest)).all():
            request.created_at = utcnow() - timedelta(days=7, minutes=1)
            session.add(request)

    db.call(age)
    for answer in (
        await site.get(f"/email/confirm/{confirm}"),
        await site.post(f"/email/confirm/{confirm}"),
    ):
        assert answer.status == 410
        text = main_of(await answer.text())
        assert plain("zh-TW", "mail.link_expired") in text
        assert 'href="/email/subscribe"' in text and "<button" not in text
    assert subscribers(db) == []
    unknown = await site.get("/email/confirm/not-a-real-token?lang=en")
    assert unknown.status == 404
    assert plain("en", "mail.link_unknown") in main_of(await unknown.text())


async def test_bad_input_is_shown_on_the_form_with_what_was_typed(
    site: TestClient, db: Database
) -> None:
    answer = await site.post(
        "/email/subscribe", data=form(address="mei@", category=["cns"], frequency="weekly")
    )
    page = await answer.text()
    assert answer.status == 400
    assert re.search(
        r'value="mei@"[^>]*aria-invalid="true" aria-describedby="address-error"', page
    )
    message = plain("zh-TW", "mail.address_invalid", address="mei@")
    assert f'<p class="error" id="address-error">{html.escape(message)}</p>' in page
    assert re.search(r'value="cns" id="category-cns" checked', page)
    assert re.search(r'value="weekly" id="frequency-weekly" checked', page)
    assert "<title>錯誤：" in page

    none = await site.post("/email/subscribe?lang=en", data=form(category=[], language="en"))
    page = await none.text()
    assert none.status == 400
    assert '<fieldset aria-describedby="categories-error">' in page
    assert plain("en", "mail.no_category") in page
    assert 'value="Mei@Example.com"' in page and re.search(
        r'value="en" id="language-en" checked', page
    )
    with db.reading() as session:
        assert session.exec(select(EmailRequest)).all() == []


async def test_a_form_posted_from_another_site_is_refused_but_one_click_is_not(
    site: TestClient, db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ):
        refused = await site.post("/email/subscribe", data=form(), headers=headers)
        assert refused.status == 403
        assert plain("zh-TW", "web.email.cross_site") in await refused.text()
    with db.reading() as session:
        assert session.exec(select(EmailRequest)).all() == []
    for n, headers in enumerate(
        ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "https://desk.example.gov.tw"})
    ):  # the browser says so, or the origin is PUBLIC_BASE_URL's
        allowed = await site.post(
            "/email/subscribe", data=form(address=f"ok{n}@example.com"), headers=headers
        )
        assert allowed.status == 200
    with db.reading() as session:
        assert len(session.exec(select(EmailRequest)).all()) == 2
    token = await confirmed_token(site, inbox, mail_sender)
    forged = await site.post(
        f"/email/manage/{token}", data=form(category=["cns"]), headers={"Origin": "https://x.test"}
    )
    assert forged.status == 403
    notice = release(db, "公告")
    await drain(mail_sender)
    assert notice
    leave = token_in(mails(inbox)[-1], "unsubscribe")
    out = await site.post(
        f"/email/unsubscribe/{leave}",
        data={"List-Unsubscribe": "One-Click"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example"},
    )
    assert out.status == 200 and subscribers(db) == []


async def test_the_manage_page_changes_the_choice_and_no_category_unsubscribes(
    site: TestClient, db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    token = await confirmed_token(site, inbox, mail_sender)
    page = await (await site.get(f"/email/manage/{token}")).text()
    assert re.search(r'value="rpc" id="category-rpc" checked', page)
    assert f'action="/email/unsubscribe/{token}"' in page

    changed = await site.post(
        f"/email/manage/{token}?lang=en",
        data=form(category=["cns", "events"], frequency="daily", language="en"),
    )
    text = main_of(await changed.text())
    assert changed.status == 200 and plain("en", "web.email.saved") in text
    assert "CNS Mark, Briefings and Training" in text and "daily digest" in text
    choice = db.read(lambda session: subscribing.current_choice(session, token=token))
    assert ([c.code for c in choice.categories], choice.frequency, choice.language) == (
        ["cns", "events"],
        "daily",
        "en",
    )
    bad = await site.post(f"/email/manage/{token}", data=form(frequency="hourly"))
    assert bad.status == 400 and 'aria-describedby="frequency-error"' in await bad.text()

    left = await site.post(f"/email/manage/{token}", data=form(category=[]))
    assert left.status == 200
    assert plain("zh-TW", "web.email.unsubscribed") in await left.text()
    assert subscribers(db) == []
    gone = await site.get(f"/email/manage/{token}")
    assert gone.status == 404


async def test_the_limit_per_client_counts_the_forwarded_client_only_behind_a_trusted_proxy(
    web_settings: Settings, db: Database
) -> None:
    async def asks(settings: Settings, forwarded: list[str]) -> list[int]:
        server = TestServer(build(settings, db), host="127.0.0.1")
        async with TestClient(server) as client:
            found = []
            for n, hop in enumerate(forwarded):
                answer = await client.post(
                    "/email/subscribe",
                    data=form(address=f"p{n}-{hop}@example.com"),
                    headers={"X-Forwarded-For": f"192.0.2.66, {hop}"},
                )
                found.append(answer.status)
            return found

    trusted = web_settings.model_copy(update={"web_trusted_proxies": ("127.0.0.1",)})
    assert await asks(trusted, ["198.51.100.7"] * 11 + ["198.51.100.8"]) == [200] * 10 + [
        429,
        200,
    ]
    # not trusted: the header is ignored and the peer (this proxy) is the client
    fresh = ["203.0.113.1", "203.0.113.2"]
    assert await asks(web_settings, fresh) == [200, 200]
    assert await asks(web_settings, ["203.0.113.3"] * 9) == [200] * 8 + [429]


def test_trusted_proxies_are_ip_addresses_or_one_sentence() -> None:
    ok = load_settings(web_trusted_proxies="127.0.0.1, ::1", _env_file=None)
    assert ok.web_trusted_proxies == ("127.0.0.1", "::1")
    with pytest.raises(SettingsError) as refused:
        load_settings(web_trusted_proxies="proxy.local", _env_file=None)
    assert str(refused.value).startswith("WEB_TRUSTED_PROXIES is not valid: it accepts")
