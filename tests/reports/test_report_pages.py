"""Every demo report in a real browser (headless Chromium): axe-core finds no WCAG 2.0/2.1 A or
AA violation, every table shows all its columns on a 1,366 px office screen, the page does not
scroll sideways at 390 px, and it prints on A4 with page numbers. The public site's pages (the
archive, a notice, /privacy, the 404 page, the e-mail subscription form and its error state as a
browser posts it, the confirm, manage and unsubscribe pages) the same way, fetched from the
site itself served on 127.0.0.1 over the demo's database, so the check sees what the public
gets: the stylesheet and the Content-Security-Policy the server sends with them.

Needs Debian's `chromium` and `chromium-driver` and `npm ci` (axe-core, pinned in
package-lock.json). The browser is given the charts' font (kernel/fonts) through its own
fontconfig file, so Chinese pages are measured and printed in a real CJK font on a machine with
none installed, as on the branch's desktops. Missing on a developer machine, the checks are
skipped with one line saying how to install them; with `CI` set they fail instead. Pages load
from file:// and the browser runs with its network features off, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import Session

from bot.cli.demo import DemoResult
from bot.mail import subscribing
from bot.mail.addresses import new_token, token_hash
from bot.notices.publishing import publish
from bot.settings import Settings
from bot.web.app import build
from kernel.charts import FONT_FILE
from kernel.clock import utcnow
from storage.db import Database
from storage.queries.mail import fetch_requests, set_request_token
from tests.reports.conftest import pages

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
INSTALL = (
    "browser check skipped: install it with `apt-get install chromium chromium-driver` "
    "and `npm ci`"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
A4_POINTS = (595.3, 841.9)
PRINTED_WIDTH_PX = 688
"""The width inside A4's side margins (14 mm each, `@page` in reports/base.html.j2), CSS px."""
DESKTOP_PX = 1366
"""The office screen: every table frame shows its whole table, no scrolling inside it."""
PHONE_PX = 390


def _missing() -> list[str]:
    return [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.exists()]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, driven through Debian's chromedriver."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser check; missing: {', '.join(missing)}")
        pytest.skip(INSTALL)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never downloads a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bsmi-chromium-")
    fonts_conf = Path(profile) / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{FONT_FILE.parent}</dir>\n  <cachedir>{profile}/fontconfig</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--metrics-recording-only",
        "--allow-file-access-from-files",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    service = Service(str(CHROMEDRIVER), env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(120)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _width(driver: Any, width: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def _axe(driver: Any) -> list[dict[str, Any]]:
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_TAGS,
    )
    return list(result)


def _table_frames(driver: Any) -> list[tuple[int, int]]:
    """(scrollWidth, clientWidth) of every table's frame (`.table-wrap`) on the page."""
    frames = driver.execute_script(
        "return [...document.querySelectorAll('table')].map(t => t.closest('.table-wrap') || t)"
        ".map(f => [f.scrollWidth, f.clientWidth]);"
    )
    assert frames, "a report page has at least one table"
    return [(int(wide), int(shown)) for wide, shown in frames]


def test_every_demo_report_passes_axe_fits_a_phone_and_prints_on_a4(
    browser: Any, demo_reports: dict[str, DemoResult]
) -> None:

    found = pages(demo_reports)
    assert (
        len(found) == 20
    )  # per language: monthly, round, year, notices, two surveys; the half-year pack (4)
    problems: list[str] = []
    for language, path in found:
        name = f"{language}/{path.name}"
        for width in (DESKTOP_PX, PHONE_PX):
            _width(browser, width)
            browser.get(path.as_uri())
            if width == DESKTOP_PX:
                problems += [
                    f"{name}: table {i} scrolls inside its frame at {width} px ({wide} > {shown})"
                    for i, (wide, shown) in enumerate(_table_frames(browser), 1)
                    if wide > shown
                ]
            violations = _axe(browser)
            problems += [
                f"{name} @{width}px: {v['id']} {v['help']} {v['nodes']}" for v in violations
            ]
        scroll, inner = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];"
        )
        if scroll > inner:
            problems.append(f"{name}: scrolls sideways at {PHONE_PX} px ({scroll} > {inner})")
        # Printed, nothing is cut off at the page's right edge: every table fits the width
        # A4 leaves inside the page's margins (210 - 2 × 14 mm = 182 mm, 688 CSS px).
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        _width(browser, PRINTED_WIDTH_PX)
        browser.get(path.as_uri())
        inside, widest = browser.execute_script(
            "return [document.documentElement.clientWidth, Math.max(0, ...[...document"
            ".querySelectorAll('table')].map(t => Math.ceil(t.getBoundingClientRect().right)))];"
        )
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        if widest > inside:
            problems.append(f"{name}: a table is cut off on paper ({widest} > {inside} px)")
        problems += _print_problems(browser, path.as_uri(), name, language)
    assert problems == [], "\n".join(problems)


def _print_problems(driver: Any, url: str, name: str, language: str) -> list[str]:
    """The page printed to PDF: on A4, with its page number on the first page."""
    from pypdf import PdfReader

    problems = []
    _width(driver, 1280)
    driver.get(url)
    printed = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    pdf = PdfReader(io.BytesIO(base64.b64decode(printed["data"])))
    box = pdf.pages[0].mediabox
    size = (float(box.width), float(box.height))
    if abs(size[0] - A4_POINTS[0]) > 2 or abs(size[1] - A4_POINTS[1]) > 2:
        problems.append(f"{name}: printed on {size}, not A4")
    # PDF text comes back with CJK compatibility glyphs (⾴ for 頁): normalise them
    first_page = unicodedata.normalize("NFKC", pdf.pages[0].extract_text() or "")
    marker = "第 1 頁" if language == "zh-TW" else "Page 1 of"
    if marker not in first_page.replace("\n", " "):
        problems.append(f"{name}: no page number on the printed page")
    return problems


def _subscription_links(db: Database) -> list[str]:
    """A pending request's confirmation page, a subscriber's manage page, an unsubscribe page."""

    def ask(session: Session, address: str) -> str:
        subscribing.request_subscription(
            session,
            address=address,
            categories=["cns", "events"],
            frequency="daily",
            language="zh-TW",
            client=None,
            now=utcnow(),
        )
        [request] = fetch_requests(session=session, address=address)
        assert request.id is not None
        token = new_token()
        set_request_token(session=session, request_id=request.id, token_hash=token_hash(token))
        return token

    pending = db.call(ask, "pending@example.com")
    confirmed = db.call(ask, "reader@example.com")
    manage = db.call(lambda session: subscribing.confirm(session, token=confirmed, now=utcnow()))
    return [
        f"/email/confirm/{pending}",
        f"/email/manage/{manage.token}",
        f"/email/unsubscribe/{manage.token}",
    ]


@contextmanager
def serving(database: Path) -> Iterator[tuple[str, list[str]]]:
    """The public site on 127.0.0.1 (a loop of its own in a thread) over the demo's database,
    with one notice more that carries a file, and e-mail subscriptions; yields its base address
    and the subscription links."""
    copy = database.with_name("site.sqlite3")
    shutil.copyfile(database, copy)
    db = Database(f"sqlite:///{copy}")
    db.call(
        publish,
        title="商品安全標示說明會簡報",
        body="說明會簡報如附件。\n\n如有疑問請洽第二課。",
        codes=["cns"],
        created_by_id=None,
        attachment_name="簡報.pdf",
        attachment_content=b"%PDF-1.7 demo",
    )
    links = _subscription_links(db)
    config = Settings(
        database_url=f"sqlite:///{copy}",
        branch_contact_phone="03-5427027",
        branch_contact_address="300 新竹市北區中華路二段 773 號",
        _env_file=None,  # type: ignore[call-arg]
    )
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(build(config, db))
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", links
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        db.dispose()


def test_the_public_pages_pass_axe_fit_a_phone_and_print_on_a4(
    browser: Any, demo_reports: dict[str, DemoResult]
) -> None:
    """The archive list, a notice's page (with its file), /privacy, the 404 page and the e-mail
    subscription pages as the server sends them (its stylesheet, its security headers), in
    both languages; the subscription form also as the browser posts it back with an error."""
    problems: list[str] = []
    with serving(demo_reports["zh-TW"].database) as (base, links):
        newest = max(
            int(n) for n in re.findall(r'href="/notices/(\d+)"', _fetch(f"{base}/notices/"))
        )
        paths = ["/notices/", f"/notices/{newest}", "/privacy", "/no-such-page"]
        paths += ["/email/subscribe", *links]
        for language, query in (("zh-TW", ""), ("en", "?lang=en")):
            for path in paths:
                problems += _check_page(browser, f"{language} {path}", base + path + query)
            problems += _check_page(
                browser,
                f"{language} subscribe form sent empty",
                base + "/email/subscribe" + query,
                submit=True,
            )
    assert problems == [], "\n".join(problems)


def _check_page(browser: Any, name: str, url: str, *, submit: bool = False) -> list[str]:
    """axe at both widths, no sideways scroll on a phone, A4 print; with `submit`, the page's
    form is sent as it is first (its answer, marked invalid, is what is checked)."""
    language = "en" if "lang=en" in url else "zh-TW"
    problems: list[str] = []
    for width in (DESKTOP_PX, PHONE_PX):
        _width(browser, width)
        browser.get(url)
        if submit:
            from selenium.common.exceptions import TimeoutException
            from selenium.webdriver.support.wait import WebDriverWait

            browser.find_element("css selector", "form.email button[type=submit]").click()
            try:  # the answer, once it has loaded: the form again, its field marked invalid
                WebDriverWait(browser, 60).until(
                    lambda d: d.find_elements("css selector", '[aria-invalid="true"]')
                )
            except TimeoutException:
                problems.append(f"{name}: the browser's post came back without an error")
        assert browser.execute_script("return document.documentElement.lang") == language
        problems += [
            f"{name} @{width}px: {v['id']} {v['help']} {v['nodes']}" for v in _axe(browser)
        ]
    scroll, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    if scroll > inner:
        problems.append(f"{name}: scrolls sideways at {PHONE_PX} px")
    if not submit:
        problems += _print_problems(browser, url, name, language)
    return problems


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 (loopback)
        return str(answer.read().decode("utf-8"))


def test_the_reply_letter_passes_axe_fits_a_phone_and_prints_on_one_a4_page(
    browser: Any, tmp_path: Path
) -> None:
    """The letter to a petitioner answered by post, as the secretariat opens and prints it."""
    from datetime import date

    from pypdf import PdfReader

    from bot.cases.letters import ReplyLetter, Sender, letter_html

    letter = ReplyLetter(
        number="P2026-00042",
        received_on=date(2026, 10, 8),
        replied_on=date(2026, 11, 20),
        subject="電暖器 HeatPro HP-9 無商品安全標章",
        name="林美惠",
        address="302 新竹縣竹北市光明六路 10 號 3 樓",
        reply="經查該電暖器未經檢驗，已函請業者下架並依法處分。\n感謝您的陳情。" * 3,
    )
    sender = Sender("經濟部標準檢驗局新竹分局", "300 新竹市北區中華路二段 773 號", "03-5427027")
    path = tmp_path / "P2026-00042-reply.html"
    path.write_text(letter_html(letter, sender), encoding="utf-8")
    problems: list[str] = []
    for width in (DESKTOP_PX, PHONE_PX):
        _width(browser, width)
        browser.get(path.as_uri())
        problems += [f"letter @{width}px: {v['id']} {v['help']}" for v in _axe(browser)]
    scroll, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    assert scroll <= inner, "the letter scrolls sideways on a phone"
    _width(browser, 1280)
    browser.get(path.as_uri())
    printed = browser.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    pdf = PdfReader(io.BytesIO(base64.b64decode(printed["data"])))
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - A4_POINTS[0]) <= 2 and abs(float(box.height) - A4_POINTS[1]) <= 2
    assert len(pdf.pages) == 1
    text = "".join(unicodedata.normalize("NFKC", pdf.pages[0].extract_text()).split())
    assert "P2026-00042" in text and "林美惠" in text and "中華民國115年11月20日" in text
    assert problems == [], "\n".join(problems)
