"""Fixtures: a real migrated database (SQLite file, or PostgreSQL from DATABASE_URL) and a
running bot against the fake Bot API, driven through python-telegram-bot's real HTTP layer."""

from __future__ import annotations

import io
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import common as cli_common
from bot.jobs import (
    assessment_reminders,
    case_reminders,
    case_surveys,
    courtesy_reminders,
    duty_reminders,
    expiry_reminders,
    improvement_reminders,
    need_reminders,
)
from bot.settings import Settings
from kernel import reporting
from storage.db import Database, make_engine, upgrade
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = POSTGRES_URL.startswith("postgresql")

ADMIN_ID = 1000
TOKEN = "123456:TEST-fake-token-abcdefghijklmnop"
BRANCH_PHONE = "03-5427027"
BRANCH_ADDRESS = "300 新竹市北區中華路二段 773 號"


QUIET = datetime(2026, 11, 29, 3, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""A Sunday at 03:00 in Taipei: no clock-driven loop has anything to send then."""


@pytest.fixture(autouse=True)
def quiet_loop_clocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's clock-driven background loops see a quiet moment unless a test sets their clock.

    Case, courtesy, self-assessment and expiry reminders and the question after a closed case
    go out by the time of day and the work calendar; against the wall clock they would drop a
    message into a test's chat at a moment the test cannot know (from 08:00 Taipei on some
    days, not on others). Tests of those loops set the clock they need (their own
    `monkeypatch` wins, being applied later) or call the loop's step with a chosen time.
    """
    loops = (
        assessment_reminders,
        case_reminders,
        case_surveys,
        courtesy_reminders,
        duty_reminders,
        expiry_reminders,
        improvement_reminders,
        need_reminders,
    )
    for module in loops:
        monkeypatch.setattr(module, "utcnow", lambda: QUIET)


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per session, cloned for every test."""
    if USE_POSTGRES:
        url = make_url(POSTGRES_URL).set(database=f"bsmi_tpl_{uuid.uuid4().hex[:8]}")
        admin = create_engine(
            make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        engine = make_engine(url.render_as_string(hide_password=False))
        upgrade(engine)
        engine.dispose()
        yield url.render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()  # the last connection to close checkpoints the WAL into the file
        assert not path.with_name(path.name + "-wal").exists()
        yield str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, fully migrated database for this test alone."""
    if USE_POSTGRES:
        template = make_url(_template)
        name = f"bsmi_t_{uuid.uuid4().hex[:10]}"
        admin = create_engine(
            template.set(database="postgres", drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
        yield template.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "bsmi.sqlite3"
        shutil.copyfile(_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A real, migrated database (SQLite file or PostgreSQL)."""
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """The fake Bot API on 127.0.0.1."""
    with FakeBotApi(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(database_url: str, fake_api: FakeBotApi) -> Settings:
    """Settings pointing at the fake Bot API and the test database."""
    return Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_base_url=fake_api.base_url,
        telegram_base_file_url=fake_api.base_file_url,
        database_url=database_url,
        admin_telegram_ids=(ADMIN_ID,),
        branch_contact_phone=BRANCH_PHONE,
        branch_contact_address=BRANCH_ADDRESS,
        web_port=0,  # the public pages' tests serve them on a port of their own
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def charts_ready() -> None:
    """matplotlib imported, its font cache built and the bundled font loaded, once a session.

    The first chart in a process (and on a fresh machine, the font cache) takes far longer than
    a reply; done here it never counts against a test's wait.
    """
    plt = reporting.pyplot()
    figure = plt.figure(figsize=(1, 1))
    try:
        figure.text(0.5, 0.5, "民國 115 年")
        figure.savefig(io.BytesIO(), format="png")  # loads the font files charts draw with
    finally:
        plt.close(figure)


@pytest.fixture
async def bot(
    settings: Settings, fake_api: FakeBotApi, db: Database, charts_ready: None
) -> AsyncIterator[BotHarness]:
    """The whole bot, polling the fake Bot API (any of its commands may draw a chart)."""
    harness = BotHarness(settings=settings, fake=fake_api, db=db)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """The command line, in-process, on this test's database, in English."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_common, "_settings", None)
    return CliRunner()
