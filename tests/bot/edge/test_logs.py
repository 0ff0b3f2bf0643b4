"""The bot token never appears in logs, whatever the level."""

from __future__ import annotations

import logging

import pytest

from bot.edge.logs import configure, install_redaction
from bot.settings import Settings
from tests.conftest import TOKEN
from tests.harness import BotHarness


async def test_the_token_is_absent_from_logs_at_debug(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction(TOKEN)
    for name in ("", "httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    await bot.say(4001, "/start")
    await bot.say(4001, "/help")
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "getUpdates" in text or "sendMessage" in text  # requests were logged at all
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text


WEBHOOK_SECRET = "webhook-s3cret-0123456789"


def rejected() -> Exception:
    """The error python-telegram-bot raises when Telegram refuses the token, with its cause."""
    try:
        try:
            raise RuntimeError("Unauthorized (401)")
        except RuntimeError as cause:
            raise ValueError(f"The token `{TOKEN}` was rejected by the server.") from cause
    except ValueError as exc:
        return exc


def test_a_logged_exception_names_neither_token_nor_secret_in_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_redaction(TOKEN, WEBHOOK_SECRET)
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("bot.test")
    logger.error("start-up failed", exc_info=rejected())
    logger.info("webhook secret is %s", WEBHOOK_SECRET)
    try:
        raise KeyError(f"secret {WEBHOOK_SECRET} in a key")
    except KeyError:
        logger.exception("failed with the secret in the exception")
    text = caplog.text
    assert "was rejected by the server" in text and "Traceback" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert WEBHOOK_SECRET not in text


def test_the_configured_stderr_log_redacts_tracebacks_and_stack_info(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure(token=TOKEN, secrets=(WEBHOOK_SECRET,))
        logger = logging.getLogger("bot.test.stderr")
        logger.error("start-up failed", exc_info=rejected())
        logger.warning("where the secret %s was seen", WEBHOOK_SECRET, stack_info=True)
        for handler in root.handlers:
            handler.flush()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "was rejected by the server" in err and "Traceback" in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert WEBHOOK_SECRET not in err


def test_the_relays_url_and_password_are_redacted_like_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = "smtp+starttls://notices:r3lay-Pa55word@relay.example.org:587"
    settings = Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        smtp_url=url,  # type: ignore[arg-type]
        webhook_url="https://desk.example.org/hook",
        webhook_secret_token=WEBHOOK_SECRET,  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    install_redaction(TOKEN, *settings.log_secrets())
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("bot.test.smtp")
    logger.warning("could not reach %s", url)
    logger.warning("login refused for notices with r3lay-Pa55word")
    logger.info("webhook secret %s", WEBHOOK_SECRET)
    assert "could not reach" in caplog.text and "login refused" in caplog.text
    assert "r3lay-Pa55word" not in caplog.text and WEBHOOK_SECRET not in caplog.text
