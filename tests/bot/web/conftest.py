"""The public site on 127.0.0.1 against the test's real database, and notices to show on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.notices.publishing import publish
from bot.settings import Settings
from bot.web.app import build
from storage.db import Database
from tests.bot.mail.conftest import mail_sender, smtp_server  # noqa: F401 (fixtures)
from tests.conftest import BRANCH_ADDRESS, BRANCH_PHONE, TOKEN
from tests.factories import add_firm

BASE = "https://desk.example.gov.tw/bsmi"
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def web_settings(database_url: str) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=database_url,
        branch_contact_phone=BRANCH_PHONE,
        branch_contact_address=BRANCH_ADDRESS,
        public_base_url=BASE,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def site(web_settings: Settings, db: Database) -> AsyncIterator[TestClient]:
    """An HTTP client of the site, served on a free port of 127.0.0.1."""
    server = TestServer(build(web_settings, db), host="127.0.0.1")
    async with TestClient(server) as client:
        yield client


def send(
    db: Database,
    title: str,
    *,
    codes: list[str] = ["cns"],  # noqa: B006 (read only)
    day: int = 0,
    **options: object,
) -> int:
    """Publish a notice `day` days after START (released then unless `at` says later)."""

    def run(session) -> int:  # type: ignore[no-untyped-def]
        add_firm(session, 90_000 + day * 100 + len(title), codes or ["cns"])
        published = publish(
            session=session,
            title=title,
            body=f"{title} 的內容。",
            codes=codes,
            created_by_id=None,
            now=START + timedelta(days=day),
            **options,  # type: ignore[arg-type]
        )
        return published.notice_id

    return db.call(run)
