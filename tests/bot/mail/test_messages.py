"""The e-mails: two parts from one source, the links, the list headers, and a DKIM signature
that verifies offline with both List-Unsubscribe headers in `h=`."""

from __future__ import annotations

import base64
import email
import shutil
import subprocess
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import dkim
import pytest

from bot.mail.messages import (
    DkimKey,
    NoticeMail,
    confirmation_message,
    notice_message,
    signed_bytes,
)
from tests.bot.mail.conftest import SENDER

NOTICE = NoticeMail(
    notice_id=42,
    title="電風扇驗證登錄新制 <即日起>",
    body="第一段 & 說明。\n\n第二段",
    released_at=datetime(2026, 3, 4, 17, 0, tzinfo=UTC),  # 5 March in Taipei
    category_names=["驗證登錄", "正字標記"],
    attachment_names=["說明 1.pdf"],
)


def test_a_notice_email_has_a_text_and_an_html_part_with_its_links_and_list_headers() -> None:
    message = notice_message(
        NOTICE, sender=SENDER, to="mei@example.com", language="zh-TW", token="TOKEN"
    )
    parsed = email.message_from_bytes(signed_bytes(message, None), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    text, page = (p.get_content() for p in parsed.iter_parts())
    assert parsed["Subject"] == NOTICE.title
    assert "notices@bsmi.example" in parsed["From"]
    assert parsed["List-Unsubscribe"] == "<http://127.0.0.1:8080/email/unsubscribe/TOKEN>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] and parsed["Message-ID"].endswith("@bsmi.example>")
    for part in (text, page):
        assert "民國 115 年 3 月 5 日" in part
        assert "http://127.0.0.1:8080/notices/42" in part
        assert "http://127.0.0.1:8080/notices/42/files/%E8%AA%AA%E6%98%8E%201.pdf" in part
        assert "http://127.0.0.1:8080/email/manage/TOKEN" in part
        assert "驗證登錄、正字標記" in part
    assert "第一段 & 說明。" in text
    assert "<p>第一段 &amp; 說明。</p><p>第二段</p>" in page
    assert "&lt;即日起&gt;" in page and "<即日起>" not in page


def test_a_confirmation_email_links_to_confirm_and_has_no_unsubscribe_header() -> None:
    message = confirmation_message(
        sender=SENDER,
        to="mei@example.com",
        language="en",
        token="CONFIRM",
        category_names=["CNS Mark"],
        frequency="daily",
    )
    parsed = email.message_from_bytes(signed_bytes(message, None), policy=policy.default)
    text = next(parsed.iter_parts()).get_content()
    assert "http://127.0.0.1:8080/email/confirm/CONFIRM?lang=en" in text
    assert "daily digest" in text and "7 days" in text
    assert parsed["List-Unsubscribe"] is None


def test_an_english_readers_links_open_the_pages_in_english() -> None:
    message = notice_message(NOTICE, sender=SENDER, to="ada@example.com", language="en", token="T")
    parsed = email.message_from_bytes(signed_bytes(message, None), policy=policy.default)
    for part in (p.get_content() for p in parsed.iter_parts()):
        assert "http://127.0.0.1:8080/notices/42?lang=en" in part
        assert "http://127.0.0.1:8080/email/manage/T?lang=en" in part
        assert "http://127.0.0.1:8080/email/unsubscribe/T?lang=en" in part
    # the one-click address is the same for every reader: a mail client posts to it as given
    assert parsed["List-Unsubscribe"] == "<http://127.0.0.1:8080/email/unsubscribe/T>"


@pytest.fixture
def test_key(tmp_path: Path) -> tuple[bytes, bytes]:
    """A fresh RSA key made by openssl: (private PEM, public key as the DNS record's p=)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test key")
    private = tmp_path / "dkim.pem"
    subprocess.run(
        [openssl, "genrsa", "-out", str(private), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        [openssl, "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return private.read_bytes(), base64.b64encode(public)


def test_a_signed_email_verifies_offline_with_both_list_headers_signed(
    test_key: tuple[bytes, bytes],
) -> None:
    private, public = test_key
    key = DkimKey("bsmi.example", "desk", private)
    message = notice_message(
        NOTICE, sender=SENDER, to="mei@example.com", language="en", token="TOKEN"
    )
    data = signed_bytes(message, key)
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return b"v=DKIM1; k=rsa; p=" + public

    assert dkim.verify(data, dnsfunc=dns)
    assert asked == [b"desk._domainkey.bsmi.example."]
    header = email.message_from_bytes(data)["DKIM-Signature"]
    signed = {
        h.strip().lower() for h in "".join(header.split()).split("h=")[1].split(";")[0].split(":")
    }
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= signed
    tampered = data.replace(b"/email/unsubscribe/TOKEN", b"/email/unsubscribe/OTHER", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_notice_not_for_the_archive_links_to_no_page_and_names_its_files_only() -> None:
    private = NoticeMail(**{**NOTICE.__dict__, "public": False})
    message = notice_message(
        private, sender=SENDER, to="mei@example.com", language="en", token="TOKEN"
    )
    parsed = email.message_from_bytes(signed_bytes(message, None), policy=policy.default)
    for part in (p.get_content() for p in parsed.iter_parts()):
        assert "/notices/42" not in part
        assert "說明 1.pdf" in part
        assert "http://127.0.0.1:8080/email/unsubscribe/TOKEN" in part
