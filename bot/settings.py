"""Settings read from the environment and `.env`, refusing bad values with one clear line."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("data") / "bsmi-desk.sqlite3")

Language = Literal["zh-TW", "en"]

PHONE_CHARACTERS = frozenset("0123456789 +()-#,.轉分機ext")
"""What a branch telephone number may be written with: 03-5427027, (03) 542-7027 轉 123."""


class SettingsError(Exception):
    """A configuration value a person must fix; the message is one sentence."""


SMTP_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """Where e-mail goes, read from SMTP_URL: `smtp` plain, `smtp+starttls`, or `smtps` (TLS
    from the first byte)."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_smtp_url(value: str) -> SmtpTarget:
    """SMTP_URL as a target; ValueError if the scheme, host or port is wrong."""
    parts = urlsplit(value.strip())
    if parts.scheme not in SMTP_PORTS or not parts.hostname:
        raise ValueError("smtp")
    try:
        port = parts.port or SMTP_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("smtp") from None
    return SmtpTarget(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Settings(BaseSettings):
    """Every variable of `.env.example`; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_telegram_ids: Annotated[tuple[int, ...], NoDecode] = ()
    webhook_url: str | None = None
    webhook_secret_token: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    timezone: str = "Asia/Taipei"
    default_language: Language = "zh-TW"
    broadcast_rate: float = Field(default=25, gt=0, le=1000)
    case_reply_days: int = Field(default=30, ge=1, le=365)
    case_day_counting: Literal["working", "calendar"] = "working"
    case_filing_limit_per_hour: int = Field(default=5, ge=1, le=1000)
    need_answer_days: int = Field(default=30, ge=1, le=365)  # working days to answer a firm's need
    courtesy_pass_mark: int = Field(default=80, ge=0, le=100)
    survey_finding_threshold: int = Field(default=80, ge=1, le=100)
    expiry_reminder_days: Annotated[tuple[int, ...], NoDecode] = (90, 30, 7)
    branch_contact_phone: str | None = None
    branch_contact_address: str | None = None
    smtp_url: SecretStr | None = None
    mail_drop_dir: Path = Path("data") / "mail"
    mail_from: str = "經濟部標準檢驗局新竹分局 <noreply@localhost>"
    mail_rate: float = Field(default=10, ge=0, le=1000)
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_key_file: Path | None = None
    public_base_url: str | None = None
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    """The proxies whose X-Forwarded-For the public pages believe (IP addresses)."""

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("a comma-separated list of numeric Telegram user ids")
            return tuple(int(p) for p in parts)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("web_trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, list | tuple):
            return value
        try:
            return tuple(str(ip_address(str(p).strip())) for p in parts if str(p).strip())
        except ValueError:
            raise ValueError("web_trusted_proxies") from None

    @field_validator("expiry_reminder_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, int):
            value = (value,)
        parts = [str(p).strip() for p in value.split(",")] if isinstance(value, str) else None
        if parts is None and isinstance(value, list | tuple):
            parts = [str(p).strip() for p in value]
        if parts is None:
            return value
        parts = [p for p in parts if p]
        if not parts or not all(p.isascii() and p.isdigit() and 0 < int(p) <= 3660 for p in parts):
            raise ValueError("a comma-separated list of whole numbers of days from 1 to 3660")
        return tuple(sorted({int(p) for p in parts}, reverse=True))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone name such as Asia/Taipei") from None
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            ok = 1 <= len(raw) <= 256 and all(c.isalnum() or c in "_-" for c in raw)
            if not ok:
                raise ValueError("1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("branch_contact_phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        digits = sum(c.isdigit() for c in value)
        if not 7 <= digits <= 20 or any(c not in PHONE_CHARACTERS for c in value):
            raise ValueError("phone")
        return value

    @field_validator("branch_contact_address")
    @classmethod
    def _address_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not 5 <= len(value) <= 200:
            raise ValueError("address")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from_shape(cls, value: str) -> str:
        name, address = parseaddr(value)
        local, _, domain = address.rpartition("@")
        if not local or not domain or any(c.isspace() for c in address):
            raise ValueError("mail_from")
        return formataddr((name, address)) if name else address

    @model_validator(mode="after")
    def _dkim_all_or_none(self) -> Settings:
        given = [self.dkim_domain, self.dkim_selector, self.dkim_key_file]
        if any(v is not None for v in given) and not all(v is not None for v in given):
            raise ValueError(
                "DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_FILE are set together or not at all "
                "(set all three to sign e-mail with DKIM)"
            )
        if self.dkim_key_file is not None and not self.dkim_key_file.is_file():
            raise ValueError(
                f"DKIM_KEY_FILE is not valid: {self.dkim_key_file} is not a readable file "
                "(a PEM private key)"
            )
        return self

    @field_validator("public_base_url")
    @classmethod
    def _public_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        ok = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and not parts.query
            and not parts.fragment
            and not parts.username
            and not any(c.isspace() for c in value.strip())
        )
        if not ok:
            raise ValueError("public_base_url")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret_token is None:
            raise ValueError(
                "WEBHOOK_SECRET_TOKEN is required when WEBHOOK_URL is set "
                "(1 to 256 characters of A-Z, a-z, 0-9, _ and -)"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def smtp(self) -> SmtpTarget | None:
        """Where e-mail goes; None: written as .eml files under MAIL_DROP_DIR."""
        if self.smtp_url is None:
            return None
        return parse_smtp_url(self.smtp_url.get_secret_value())

    def log_secrets(self) -> tuple[str, ...]:
        """What the log must never show besides the token: the webhook's secret, and the
        relay's URL and password (aiosmtplib's errors may name either)."""
        secrets: list[str] = []
        if self.webhook_secret_token is not None:
            secrets.append(self.webhook_secret_token.get_secret_value())
        if self.smtp_url is not None:
            secrets.append(self.smtp_url.get_secret_value())
            password = parse_smtp_url(self.smtp_url.get_secret_value()).password
            if password:
                secrets.append(password)
        return tuple(secrets)

    @property
    def public_url(self) -> str:
        """Where people reach the public pages, without a trailing slash: PUBLIC_BASE_URL, else
        the address the pages are served at on this machine."""
        if self.public_base_url:
            return self.public_base_url
        host = f"[{self.web_listen}]" if ":" in self.web_listen else self.web_listen
        return f"http://{host}:{self.web_port or 8080}"

    def require_token(self) -> str:
        """The bot token, or a SettingsError telling the person how to get one."""
        if self.telegram_bot_token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram and "
                "put its token in .env as TELEGRAM_BOT_TOKEN=123456:ABC..."
            )
        return self.telegram_bot_token.get_secret_value()

    def require_contact(self) -> None:
        """Refuse to serve the public without the branch's phone and address: the privacy notice
        (個資法 第 8 條) and every reply to a reporter say how to reach the branch."""
        missing = [
            name
            for name, value in (
                ("BRANCH_CONTACT_PHONE", self.branch_contact_phone),
                ("BRANCH_CONTACT_ADDRESS", self.branch_contact_address),
            )
            if value is None
        ]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} must be set before the bot serves the public: the "
                "privacy notice and every reply to a reporter tell people how to reach the "
                "branch (see .env.example, e.g. BRANCH_CONTACT_PHONE=03-5427027)."
            )


_ACCEPTS = {
    "branch_contact_phone": "a telephone number of 7 to 20 digits, written with digits, "
    "spaces, + ( ) - # , and 轉 or ext for an extension, e.g. (03) 542-7027",
    "branch_contact_address": "a postal address of 5 to 200 characters on one line",
    "default_language": "zh-TW or en",
    "broadcast_rate": "a number of messages per second above 0 and at most 1000",
    "case_reply_days": "a whole number of days from 1 to 365",
    "case_day_counting": "working or calendar",
    "need_answer_days": "a whole number of working days from 1 to 365",
    "case_filing_limit_per_hour": "a whole number of reports from 1 to 1000",
    "courtesy_pass_mark": "a whole number from 0 to 100",
    "survey_finding_threshold": "a whole number of percent from 1 to 100",
    "webhook_port": "a port number from 1 to 65535",
    "public_base_url": "an http:// or https:// address with a host and no query, "
    "e.g. https://desk.example.gov.tw",
    "web_port": "a port number from 1 to 65535, or 0 not to serve the public pages",
    "web_trusted_proxies": "a comma-separated list of IP addresses, e.g. 127.0.0.1,10.0.0.5",
    "expiry_reminder_days": "a comma-separated list of whole numbers of days from 1 to 3660",
    "smtp_url": "smtp://host:25, smtp+starttls://user:password@host:587 or "
    "smtps://user:password@host:465",
    "mail_from": "a sender address with its name, "
    "e.g. 經濟部標準檢驗局新竹分局 <notices@example.org>",
    "mail_rate": "a number of e-mails per second from 0 (no limit) to 1000",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises SettingsError naming the variable and what it accepts."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if not field:
            raise SettingsError(message) from None
        accepts = _ACCEPTS.get(field, message)
        raise SettingsError(f"{field.upper()} is not valid: it accepts {accepts}.") from None
