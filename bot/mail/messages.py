"""The e-mails themselves (pure): a notice, a digest and a confirmation request, each
`multipart/alternative` with a text and an HTML part from the same source, the list headers of
RFC 2369 and RFC 8058, and a DKIM signature when the install has a key."""

from __future__ import annotations

import email.policy
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import quote
from zoneinfo import ZoneInfo

import dkim

from kernel.reporting import plain, roc_year

SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"MIME-Version",
    b"Content-Type",
)


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, each made once: the standard library makes a new class
    for every header it parses, most of the time an e-mail takes to compose."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


POLICY = email.policy.default.clone(header_factory=_HeaderClasses())


@dataclass(frozen=True)
class Sender:
    """Who sends: MAIL_FROM, the public base URL of the links, the time zone of dates."""

    mail_from: str
    base_url: str
    tz: ZoneInfo

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1]

    @property
    def domain(self) -> str:
        return self.envelope_from.rpartition("@")[2] or "localhost"

    def url(self, path: str, language: str | None = None) -> str:
        """`path` on the public site; in English with `?lang=en` (the pages' default is
        zh-TW), so a page a reader opens from an e-mail speaks the e-mail's language."""
        query = "?lang=en" if language == "en" else ""
        return f"{self.base_url.rstrip('/')}{path}{query}"


@dataclass(frozen=True)
class NoticeMail:
    """A notice as e-mailed: the same title and body as the chat text."""

    notice_id: int
    title: str
    body: str
    released_at: datetime
    category_names: Sequence[str]
    attachment_names: Sequence[str] = ()
    public: bool = True
    """In the public archive: only then has it a page (and its files) to link to."""


@dataclass(frozen=True)
class DigestItem:
    """A notice as a digest lists it: its title, date and (when public) its archive page."""

    notice_id: int
    title: str
    released_at: datetime
    public: bool


def roc_date_zh(when: datetime, tz: ZoneInfo) -> str:
    """民國 115 年 3 月 5 日: the notice's date as the branch writes it in Chinese."""
    day = when.astimezone(tz).date()
    return f"民國 {roc_year(day.year)} 年 {day.month} 月 {day.day} 日"


def _message(sender: Sender, *, to: str, subject: str, token: str | None) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(tz=sender.tz))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["List-Id"] = f"BSMI Hsinchu notices <notices.{sender.domain}>"
    if token is not None:
        message["List-Unsubscribe"] = f"<{sender.url(f'/email/unsubscribe/{token}')}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def _paragraphs_html(text: str) -> str:
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _link(url: str, label: str | None = None) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(label or url)}</a>'


def _page(language: str, title: str, inner: str) -> str:
    lang = "zh-Hant-TW" if language == "zh-TW" else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="font-family:sans-serif;line-height:1.6;max-width:40em">{inner}'
        "</body></html>"
    )


def _footer(sender: Sender, language: str, token: str) -> tuple[str, str]:
    """The footer of every e-mail to a subscriber (text, HTML): why, manage, unsubscribe."""
    manage = sender.url(f"/email/manage/{token}", language)
    leave = sender.url(f"/email/unsubscribe/{token}", language)
    why = plain(language, "mail.message.footer_why")
    text = "-- \n" + "\n".join(
        [
            why,
            plain(language, "mail.message.manage", url=manage),
            plain(language, "mail.message.unsubscribe", url=leave),
        ]
    )
    page = '<hr><p style="font-size:small">' + html.escape(why) + "<br>"
    page += _link(manage, plain(language, "mail.message.manage", url=manage)) + "<br>"
    page += _link(leave, plain(language, "mail.message.unsubscribe", url=leave)) + "</p>"
    return text + "\n", page


def _alternative(
    sender: Sender, *, to: str, subject: str, token: str, language: str, text: str, inner: str
) -> EmailMessage:
    footer_text, footer_html = _footer(sender, language, token)
    message = _message(sender, to=to, subject=subject, token=token)
    message.set_content(text + footer_text)
    message.add_alternative(_page(language, subject, inner + footer_html), subtype="html")
    return message


def notice_message(
    notice: NoticeMail, *, sender: Sender, to: str, language: str, token: str
) -> EmailMessage:
    """One notice to one subscriber, with the links of its `token` (manage, unsubscribe); the
    archive page and the files' copies linked only when the notice is public (a notice not
    for the archive has no page: the links would lead nowhere)."""
    archive = sender.url(f"/notices/{notice.notice_id}", language) if notice.public else None
    files = [
        (
            name,
            sender.url(f"/notices/{notice.notice_id}/files/{quote(name)}")
            if notice.public
            else None,
        )
        for name in notice.attachment_names
    ]
    date = roc_date_zh(notice.released_at, sender.tz)
    names = (
        "、".join(notice.category_names)
        if language == "zh-TW"
        else ", ".join(notice.category_names)
    )
    head = [plain(language, "mail.message.sender_line")]
    if names:
        head.append(plain(language, "mail.message.categories", names=names))
    head.append(plain(language, "mail.message.published", date=date))
    text = "\n".join(head) + f"\n\n{notice.title}\n\n{notice.body.strip()}\n\n"
    if files:
        text += plain(language, "mail.message.attachments") + "\n"
        text += "".join(f"- {name}: {url}\n" if url else f"- {name}\n" for name, url in files)
        text += "\n"
    if archive:
        text += plain(language, "mail.message.archive", url=archive) + "\n\n"
    inner = "".join(f"<p>{html.escape(line)}</p>" for line in head)
    inner += f"<h1>{html.escape(notice.title)}</h1>{_paragraphs_html(notice.body)}"
    if files:
        inner += f"<p>{html.escape(plain(language, 'mail.message.attachments'))}</p><ul>"
        inner += "".join(
            f"<li>{_link(url, name) if url else html.escape(name)}</li>" for name, url in files
        )
        inner += "</ul>"
    if archive:
        label = plain(language, "mail.message.archive", url=archive)
        inner += f"<p>{_link(archive, label)}</p>"
    return _alternative(
        sender,
        to=to,
        subject=notice.title,
        token=token,
        language=language,
        text=text,
        inner=inner,
    )


def digest_message(
    items: Sequence[DigestItem],
    *,
    frequency: str,
    day: date,
    sender: Sender,
    to: str,
    language: str,
    token: str,
) -> EmailMessage:
    """A daily or weekly digest: each notice's ROC date and title, linked to its archive page
    when it is public (else the title only), oldest first; the same footer and list headers
    as a notice."""
    subject = plain(
        language,
        f"mail.digest.subject_{frequency}",
        date=roc_date_zh(datetime.combine(day, time(12), tzinfo=sender.tz), sender.tz),
    )
    intro = plain(language, f"mail.digest.intro_{frequency}", count=len(items))
    lines, entries = [], []
    for item in items:
        when = roc_date_zh(item.released_at, sender.tz)
        url = sender.url(f"/notices/{item.notice_id}", language) if item.public else None
        lines.append(f"- {when} {item.title}" + (f"\n  {url}" if url else ""))
        title = _link(url, item.title) if url else html.escape(item.title)
        entries.append(f"<li>{html.escape(when)} {title}</li>")
    head = plain(language, "mail.message.sender_line")
    text = f"{head}\n\n{intro}\n\n" + "\n".join(lines) + "\n\n"
    inner = f"<p>{html.escape(head)}</p><h1>{html.escape(subject)}</h1>"
    inner += f"<p>{html.escape(intro)}</p><ul>{''.join(entries)}</ul>"
    return _alternative(
        sender, to=to, subject=subject, token=token, language=language, text=text, inner=inner
    )


def confirmation_message(
    *,
    sender: Sender,
    to: str,
    language: str,
    token: str,
    category_names: Sequence[str],
    frequency: str,
) -> EmailMessage:
    """The e-mail asking to confirm a subscription: its link subscribes."""
    link = sender.url(f"/email/confirm/{token}", language)
    subject = plain(language, "mail.message.confirm_subject")
    separator = "、" if language == "zh-TW" else ", "
    lines = [
        plain(language, "mail.message.confirm_intro"),
        plain(
            language,
            "mail.message.confirm_choice",
            names=separator.join(category_names),
            frequency=plain(language, f"mail.frequency.{frequency}"),
        ),
        plain(language, "mail.message.confirm_action"),
    ]
    ignore = plain(language, "mail.message.confirm_ignore")
    text = "\n\n".join(lines) + f"\n{link}\n\n{ignore}\n"
    inner = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    inner += f"<p>{_link(link)}</p><p>{html.escape(ignore)}</p>"
    message = _message(sender, to=to, subject=subject, token=None)
    message.set_content(text)
    message.add_alternative(_page(language, subject, inner), subtype="html")
    return message


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_key: bytes


def signed_bytes(message: EmailMessage, key: DkimKey | None) -> bytes:
    """The message as sent: with a DKIM-Signature first when there is a key (every list
    header in `h=`, as RFC 8058 §4 asks)."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n", max_line_length=998))
    if key is None:
        return data
    present = [h for h in SIGNED_HEADERS if h.decode() in message]
    signature = dkim.sign(
        data,
        key.selector.encode("ascii"),
        key.domain.encode("ascii"),
        key.private_key,
        include_headers=present,
    )
    return signature + data
