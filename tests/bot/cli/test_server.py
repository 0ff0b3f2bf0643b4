"""`bsmi-desk run` and `db upgrade` as a person runs them: a bad configuration or a Bot API
that refuses is one sentence (never the token), and migrations apply to a fresh database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.cli.console import run_cli
from tests.fakes import FakeBotApiProcess


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "ADMIN_TELEGRAM_IDS": "7,seven"}, "ADMIN_TELEGRAM_IDS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://h.example/x"}, "WEBHOOK_SECRET"),
    ],
)
def test_run_refuses_bad_configuration_with_one_line_and_no_traceback(
    tmp_path: Path, database_url: str, env: dict[str, str], expected: str
) -> None:
    result = run_cli("run", env={"DATABASE_URL": database_url, **env}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


CONTACT = {
    "BRANCH_CONTACT_PHONE": "03-5427027",
    "BRANCH_CONTACT_ADDRESS": "300 新竹市北區中華路二段 773 號",
}
"""The branch's contact, which `bsmi-desk run` requires before it serves the public."""


@pytest.mark.parametrize("left_out", ["BRANCH_CONTACT_PHONE", "BRANCH_CONTACT_ADDRESS"])
def test_run_without_the_branch_contact_names_it_in_one_line(
    tmp_path: Path, database_url: str, left_out: str
) -> None:
    env = {"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": "1:x", **CONTACT}
    del env[left_out]
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert left_out in lines[0] and ".env.example" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_run_without_a_token_tells_where_to_put_it(tmp_path: Path, database_url: str) -> None:
    result = run_cli("run", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert "@BotFather" in result.stderr and ".env" in result.stderr


def test_db_upgrade_works_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


BOT_TOKEN = "7654321098:AAH-real-looking-secret-part-0123456789abc"
"""The token `bsmi-desk run` is given; the fake Bot API below knows another one."""


@pytest.fixture(scope="module")
def another_bots_api() -> Iterator[FakeBotApiProcess]:
    """A Bot API that refuses BOT_TOKEN (401), as Telegram refuses a revoked token."""
    with FakeBotApiProcess(token="1111111:another-bots-token-abcdefghijklmn") as fake:
        yield fake


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("case", "language", "setting"),
    [
        ("token refused", "en", "TELEGRAM_BOT_TOKEN"),
        ("token refused", "zh-TW", "TELEGRAM_BOT_TOKEN"),
        ("wrong base URL path", "en", "TELEGRAM_BASE_URL"),
        ("nothing listening", "zh-TW", "TELEGRAM_BASE_URL"),
    ],
)
def test_run_against_a_bot_api_that_fails_says_one_sentence_and_never_the_token(
    tmp_path: Path,
    database_url: str,
    another_bots_api: FakeBotApiProcess,
    case: str,
    language: str,
    setting: str,
) -> None:
    base_url = {
        "token refused": another_bots_api.base_url,
        "wrong base URL path": f"{another_bots_api.url}/telegram-proxy/bot",
        "nothing listening": f"http://127.0.0.1:{closed_port()}/bot",
    }[case]
    env = {
        "DATABASE_URL": database_url,
        "DEFAULT_LANGUAGE": language,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        **CONTACT,
    }
    result = run_cli("run", env=env, cwd=tmp_path)
    output = result.stderr + result.stdout
    assert result.returncode != 0
    assert BOT_TOKEN not in output and BOT_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    cjk = any("\u4e00" <= char <= "\u9fff" for char in lines[0])
    assert cjk == (language == "zh-TW"), lines[0]


TALKS_TO_TELEGRAM = {
    "bsmi-desk run": ["-m", "bot", "run"],
    "bsmi-desk notice worker": ["-m", "bot", "notice", "worker"],
    "python -m bot.delivery": ["-m", "bot.delivery"],
}
"""Every entry point that creates a Bot: each asks the Bot API first (bot/edge/startup.py)."""


@pytest.mark.parametrize("command", sorted(TALKS_TO_TELEGRAM))
@pytest.mark.parametrize(
    ("case", "setting"),
    [
        ("no token", "TELEGRAM_BOT_TOKEN"),
        ("token refused", "TELEGRAM_BOT_TOKEN"),
        ("wrong base URL path", "TELEGRAM_BASE_URL"),
    ],
)
def test_every_command_that_talks_to_telegram_stops_at_a_refusal_in_one_sentence(
    tmp_path: Path,
    database_url: str,
    another_bots_api: FakeBotApiProcess,
    command: str,
    case: str,
    setting: str,
) -> None:
    base_url = {
        "no token": another_bots_api.base_url,
        "token refused": another_bots_api.base_url,
        "wrong base URL path": f"{another_bots_api.url}/telegram-proxy/bot",
    }[case]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env = {
        **base,
        "DATABASE_URL": database_url,
        "DEFAULT_LANGUAGE": "en",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        **CONTACT,
    }
    if case == "no token":
        del env["TELEGRAM_BOT_TOKEN"]
    result = subprocess.run(
        [sys.executable, *TALKS_TO_TELEGRAM[command]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stderr + result.stdout
    assert result.returncode == 2, output
    assert BOT_TOKEN not in output and BOT_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert setting in lines[0]
