"""The case card as text and buttons: it always fits one message (long texts and a long history
are cut there), and its full text in pages under the "Full text" button."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.details import CaseDetails, CaseMessage, HistoryEntry
from bot.edge.contact import public_day
from bot.handlers.cases.shared import PREFIX
from kernel.i18n import Markup, t
from storage.models import CaseEvent
from storage.models.cases import Channel, ReplyChannel

MESSAGE_LIMIT = 4096
"""Telegram's limit for one message, in UTF-16 code units of the text a reader sees."""
SHOWN_EVENTS = 6
FULL_PAGE = 3800
"""What one page of a case's full text may take; the rest of 4,096 is its title."""
SHOWN_MESSAGES = 5
"""Messages to the petitioner on the card (the latest); "Full text" lists them all."""


def visible_length(text: str) -> int:
    """What a Telegram-HTML text costs against the 4,096 limit: the text a reader sees (tags
    dropped, entities read), counted in UTF-16 code units as Telegram does."""
    seen = html.unescape(re.sub(r"<[^<>]*>", "", text))
    return len(seen.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """`text`, shortened to `limit` characters with an ellipsis (the whole is kept on file)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _event_note(event: CaseEvent, lang: str) -> str:
    """The note of a history line; the channel of a filing in words, not its code."""
    if event.action == "file" and event.note in {c.value for c in Channel}:
        return t(lang, f"cases.channels.{event.note}")
    return _cut(event.note or "", 80)


def _history_line(entry: HistoryEntry, lang: str, tz: ZoneInfo, note: str = "") -> str:
    """One line of the history: an event (its day, action → state, `note`), or a message to
    the petitioner (its day and time, what it was, whether it arrived)."""
    if isinstance(entry, CaseEvent):
        return t(
            lang,
            "cases.history_line",
            at=public_day(entry.at.astimezone(tz).date(), lang),
            action=t(lang, f"cases.actions.{entry.action}"),
            state=t(lang, f"cases.states.{entry.to_state}"),
            note=note,
        )
    return t(lang, "cases.proof.history_line", **_message_values(entry, lang, tz))


def _moment(at: datetime, lang: str) -> str:
    """A day and time in a chat message: the day as `public_day` writes it, then HH:MM."""
    return f"{public_day(at.date(), lang)} {at:%H:%M}"


def _message_values(message: CaseMessage, lang: str, tz: ZoneInfo) -> dict[str, str]:
    """A message to the petitioner in words: its time (sent: when Telegram accepted it; else
    when it was written), what it was and its state."""
    at = message.sent_at or message.queued_at
    what = message.key.rsplit(".", 1)[-1]
    return {
        "at": _moment(at.astimezone(tz), lang) if at else "—",
        "what": t(lang, f"cases.proof.what.{what}"),
        "state": t(lang, f"cases.proof.states.{message.status}"),
    }


def _undelivered(details: CaseDetails, lang: str) -> list[str]:
    """What to do when the final reply did not arrive (nothing when it did)."""
    if not details.reply_undelivered:
        return []
    reply = [m for m in details.messages if m.key.endswith(".reply")][-1]
    state = t(lang, f"cases.proof.states.{reply.status}")
    return [t(lang, "cases.proof.undelivered", state=state)]


def _proof_lines(details: CaseDetails, lang: str, tz: ZoneInfo, *, last: int) -> list[str]:
    """The `last` messages to the petitioner, each with its state and time, and what to do
    when the final reply did not arrive."""
    if not details.messages:
        return []
    lines = [t(lang, "cases.proof.title")]
    shown = details.messages[-last:]
    if len(shown) < len(details.messages):
        lines.append(t(lang, "cases.proof.more", count=len(details.messages) - len(shown)))
    lines += [t(lang, "cases.proof.line", **_message_values(m, lang, tz)) for m in shown]
    return lines + _undelivered(details, lang)


def _card_note(entry: HistoryEntry, lang: str) -> str:
    return _event_note(entry, lang) if isinstance(entry, CaseEvent) else ""


def answer_lines(details: CaseDetails, lang: str) -> list[str]:
    """How a petitioner without a chat is answered: given (how and when), or how it can be
    given; the phone, address and e-mail themselves only to those who see the petitioner."""
    c = details.case
    if not details.off_chat:
        return []
    if c.reply_channel and c.replied_on:
        how = t(lang, f"cases.channels.{c.reply_channel}")
        return [t(lang, "cases.answer.given", day=public_day(c.replied_on, lang), how=how)]
    if not details.answer_by:
        return [t(lang, "cases.answer.none")]
    r = details.reporter
    if r is None:
        ways = t(lang, "cases.answer.or").join(
            t(lang, f"cases.channels.{how}") for how in details.answer_by
        )
        return [t(lang, "cases.answer.due", ways=ways)]
    given = {"phone": r.phone, "letter": r.address, "email": r.email}
    lines = [t(lang, "cases.answer.title")]
    lines += [t(lang, f"cases.answer.{how}", value=given[how] or "—") for how in details.answer_by]
    return lines


def details_text(details: CaseDetails, lang: str, tz: ZoneInfo) -> tuple[str, bool]:
    """The case card, and whether anything was left out of it (a text cut, earlier events):
    then its "Full text" button shows everything. The card always fits one message."""
    c = details.case
    cut = any(
        len(text or "") > limit
        for text, limit in (
            (c.subject, 300),
            (c.location, 300),
            (c.description, 1200),
            (c.reply_text, 700),
            (c.reason, 300),
        )
    )
    unit = (details.unit_name_zh if lang == "zh-TW" else details.unit_name_en) or t(
        lang, "cases.no_unit"
    )
    state = t(lang, f"cases.states.{c.state}")
    if c.closure:
        state += " · " + t(lang, f"cases.closure.{c.closure}")
    parts = [
        t(
            lang,
            "cases.detail",
            number=c.number,
            kind=t(lang, f"cases.kinds.{c.kind}"),
            state=state,
            channel=t(lang, f"cases.channels.{c.channel}"),
            received=public_day(c.received_on, lang),
            due=public_day(c.due_on, lang),
            unit=unit,
            category=(details.category_name_zh if lang == "zh-TW" else details.category_name_en)
            or "—",
            subject=_cut(c.subject, 300),
            where=_cut(c.location or "—", 300),
            description=_cut(c.description, 1200),
            files=len(details.attachments),
        )
    ]
    if c.extended_days:
        parts.append(t(lang, "cases.detail_extended", days=c.extended_days))
    if c.reply_text:
        parts.append(t(lang, "cases.detail_reply", reply=_cut(c.reply_text, 700)))
    if c.reason:
        parts.append(t(lang, "cases.detail_reason", reason=_cut(c.reason, 300)))
    if details.reporter is not None:
        r = details.reporter
        if r.anonymous:
            who = t(lang, "cases.reporter_anonymous")
        elif r.name or r.phone:
            who = t(lang, "cases.reporter_contact", name=r.name or "—", phone=r.phone or "—")
        else:
            who = t(lang, "cases.reporter_none")
        if r.telegram_id is not None:
            who += t(lang, "cases.reporter_telegram", telegram_id=r.telegram_id)
        parts.append(t(lang, "cases.reporter", who=Markup(who)))
    parts.extend(answer_lines(details, lang))
    parts.extend(_proof_lines(details, lang, tz, last=SHOWN_MESSAGES))
    cut = cut or any(len(e.note or "") > 80 for e in details.events)
    cut = cut or len(details.messages) > SHOWN_MESSAGES  # "Full text" lists them all
    history = [_history_line(e, lang, tz, _card_note(e, lang)) for e in details.history]
    shown = min(len(history), SHOWN_EVENTS)
    while True:
        lines = list(parts)
        if history:
            lines.append(t(lang, "cases.history"))
            if shown < len(history):
                lines.append(t(lang, "cases.history_more", count=len(history) - shown))
            lines.extend(history[len(history) - shown :])
        if shown < len(history) or cut:
            lines.append(t(lang, "cases.cut_note", button=t(lang, "cases.buttons.more")))
        text = "\n".join(lines)
        if visible_length(text) <= MESSAGE_LIMIT or shown == 0:
            return text, shown < len(history) or cut
        shown -= 1  # the oldest shown line goes; "Full text" has it


def details_keyboard(
    details: CaseDetails, lang: str, *, more: bool
) -> InlineKeyboardMarkup | None:
    number = details.case.number
    buttons = [
        InlineKeyboardButton(
            t(lang, f"cases.buttons.{a}"), callback_data=f"{PREFIX}:a:{a}:{number}"
        )
        for a in details.actions
    ]
    if details.attachments:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "cases.buttons.files", count=len(details.attachments)),
                callback_data=f"{PREFIX}:files:{number}",
            )
        )
    if details.reporter is not None and details.case.reply_channel == ReplyChannel.LETTER:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "cases.buttons.letter"), callback_data=f"{PREFIX}:letter:{number}"
            )
        )
    if more:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "cases.buttons.more"), callback_data=f"{PREFIX}:more:{number}:0"
            )
        )
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return InlineKeyboardMarkup(rows) if rows else None


def _pieces(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` UTF-16 code units, broken after a line where one
    ends in the second half of a piece (before escaping, so no entity is split)."""
    pieces: list[str] = []
    current: list[str] = []
    length = 0
    for char in text:
        width = len(char.encode("utf-16-le")) // 2
        if length + width > size:
            chunk = "".join(current)
            cut = chunk.rfind("\n", size // 2)
            if cut > 0:
                pieces.append(chunk[:cut])
                rest = chunk[cut + 1 :]
                current, length = list(rest), len(rest.encode("utf-16-le")) // 2
            else:
                pieces.append(chunk)
                current, length = [], 0
        current.append(char)
        length += width
    pieces.append("".join(current))
    return [p for p in pieces if p.strip()]


def full_pages(details: CaseDetails, lang: str, tz: ZoneInfo) -> list[str]:
    """A case's texts in full and its whole history, as pages of at most `FULL_PAGE`."""
    c = details.case
    blocks: list[str] = []
    for key, text in (
        ("subject", c.subject),
        ("where", c.location),
        ("description", c.description),
        ("reply", c.reply_text),
        ("reason", c.reason),
    ):
        pieces = _pieces(text or "", FULL_PAGE - 100)
        if pieces:
            label = t(lang, f"cases.label_{key}")
            blocks.append(t(lang, "cases.full_part", label=label, text=pieces[0]))
            blocks.extend(html.escape(piece, quote=False) for piece in pieces[1:])
    blocks.extend(_undelivered(details, lang))
    history = details.history
    if history:
        blocks.append(t(lang, "cases.history"))
    for entry in history:
        note = ""
        if isinstance(entry, CaseEvent):
            note = _event_note(entry, lang) if entry.action == "file" else entry.note or ""
        blocks.append(_history_line(entry, lang, tz, _cut(note, FULL_PAGE - 200)))
    pages: list[str] = []
    current: list[str] = []
    length = 0
    for block in blocks:
        width = visible_length(block) + 1
        if current and length + width > FULL_PAGE:
            pages.append("\n".join(current))
            current, length = [], 0
        current.append(block)
        length += width
    pages.append("\n".join(current))
    return pages
