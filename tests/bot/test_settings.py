"""Settings refuse bad values with one line naming the variable."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "ADMIN_TELEGRAM_IDS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET_TOKEN",
        "DEFAULT_LANGUAGE",
        "BROADCAST_RATE",
        "DATABASE_URL",
        "BRANCH_CONTACT_PHONE",
        "BRANCH_CONTACT_ADDRESS",
        "SMTP_URL",
        "MAIL_FROM",
        "MAIL_RATE",
        "MAIL_DROP_DIR",
        "DKIM_DOMAIN",
        "DKIM_SELECTOR",
        "DKIM_KEY_FILE",
        "PUBLIC_BASE_URL",
        "WEB_LISTEN",
        "WEB_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_match_the_product_description() -> None:
    settings = load_settings()
    assert settings.timezone == "Asia/Taipei"
    assert settings.default_language == "zh-TW"
    assert settings.broadcast_rate == 25
    assert (settings.case_reply_days, settings.case_day_counting) == (30, "working")
    assert settings.courtesy_pass_mark == 80
    assert settings.admin_telegram_ids == ()
    assert settings.database_url.startswith("sqlite:///")


def test_the_public_pages_are_served_on_loopback_at_8080_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings()
    assert (settings.web_listen, settings.web_port) == ("127.0.0.1", 8080)
    assert settings.public_url == "http://127.0.0.1:8080"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://desk.example.gov.tw/bsmi/")
    monkeypatch.setenv("WEB_PORT", "0")
    settings = load_settings()
    assert settings.public_url == "https://desk.example.gov.tw/bsmi"
    assert settings.web_port == 0


def test_admin_ids_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "11, 22,33")
    assert load_settings().admin_telegram_ids == (11, 22, 33)


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("ADMIN_TELEGRAM_IDS", "12,abc", "ADMIN_TELEGRAM_IDS"),
        ("DEFAULT_LANGUAGE", "fr", "DEFAULT_LANGUAGE"),
        ("BROADCAST_RATE", "fast", "BROADCAST_RATE"),
        ("CASE_DAY_COUNTING", "lunar", "CASE_DAY_COUNTING"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("WEBHOOK_URL", "https://example.org/hook", "WEBHOOK_SECRET_TOKEN"),
        ("BRANCH_CONTACT_PHONE", "call us", "BRANCH_CONTACT_PHONE"),
        ("BRANCH_CONTACT_PHONE", "123", "BRANCH_CONTACT_PHONE"),
        ("BRANCH_CONTACT_ADDRESS", "新竹", "BRANCH_CONTACT_ADDRESS"),
        ("PUBLIC_BASE_URL", "desk.example.gov.tw", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "ftp://desk.example.gov.tw", "PUBLIC_BASE_URL"),
        ("PUBLIC_BASE_URL", "https://desk.example.gov.tw/?a=1", "PUBLIC_BASE_URL"),
        ("WEB_PORT", "70000", "WEB_PORT"),
        ("WEB_PORT", "web", "WEB_PORT"),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert named in message
    assert "\n" not in message


def test_a_missing_token_says_how_to_get_one() -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        load_settings().require_token()


def test_env_file_values_are_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=en\nBROADCAST_RATE=12\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.default_language, settings.broadcast_rate) == ("en", 12)


def test_the_branch_contact_is_read_tidied_and_required_to_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SettingsError, match="BRANCH_CONTACT_PHONE and BRANCH_CONTACT_ADDRESS"):
        load_settings().require_contact()
    monkeypatch.setenv("BRANCH_CONTACT_PHONE", " (03)  542-7027 轉 123 ")
    monkeypatch.setenv("BRANCH_CONTACT_ADDRESS", "300 新竹市北區中華路二段 773 號")
    settings = load_settings()
    settings.require_contact()
    assert settings.branch_contact_phone == "(03) 542-7027 轉 123"
    assert settings.branch_contact_address == "300 新竹市北區中華路二段 773 號"


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "user"),
    [
        ("smtp://relay.example.org", "smtp", "relay.example.org", 25, None),
        (
            "smtp+starttls://me:p%40ss@relay.example.org:2587",
            "smtp+starttls",
            "relay.example.org",
            2587,
            "me",
        ),
        ("smtps://me:pw@127.0.0.1", "smtps", "127.0.0.1", 465, "me"),
    ],
)
def test_smtp_url_names_the_relay_its_security_and_login(
    monkeypatch: pytest.MonkeyPatch, url: str, scheme: str, host: str, port: int, user: str | None
) -> None:
    monkeypatch.setenv("SMTP_URL", url)
    target = load_settings().smtp
    assert target is not None
    assert (target.scheme, target.host, target.port, target.username) == (scheme, host, port, user)
    if "p%40ss" in url:
        assert target.password == "p@ss"


def test_without_smtp_url_mail_is_dropped_as_files() -> None:
    settings = load_settings()
    assert settings.smtp is None
    assert str(settings.mail_drop_dir).replace("\\", "/") == "data/mail"
    assert settings.mail_rate == 10


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SMTP_URL", "http://relay.example.org", "SMTP_URL"),
        ("SMTP_URL", "smtp://relay.example.org:99999", "SMTP_URL"),
        ("MAIL_FROM", "nobody", "MAIL_FROM"),
        ("MAIL_RATE", "-1", "MAIL_RATE"),
        ("DKIM_DOMAIN", "example.org", "DKIM_KEY_FILE"),
    ],
)
def test_a_bad_mail_setting_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_dkim_needs_a_key_file_that_exists(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DKIM_DOMAIN", "example.org")
    monkeypatch.setenv("DKIM_SELECTOR", "bsmi")
    monkeypatch.setenv("DKIM_KEY_FILE", str(tmp_path / "absent.pem"))
    with pytest.raises(SettingsError, match="DKIM_KEY_FILE"):
        load_settings()
    (tmp_path / "absent.pem").write_text("key", encoding="utf-8")
    assert load_settings().dkim_selector == "bsmi"
