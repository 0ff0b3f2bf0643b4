"""Staff: /notices, the progress of recent notices by channel (delivery paused, unknown
deliveries) and, for the secretariat, the certificates no chat can be told about. Registered
with the /notice conversation by `notices.py`, the feature that declares both commands."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotContext
from bot.notices.overview import UNREACHABLE_DAYS, CertificateView, staff_overview
from bot.notices.status import NoticeStatus, Pause
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.reporting import format_day

SHOWN_UNREACHABLE = 10
"""Certificates no chat can be told about, named one by one; past these, only the count."""


def status_line(status: NoticeStatus, lang: str) -> str:
    counts = status.counts
    return (
        t(
            lang,
            "notices.status_line",
            notice_id=status.notice_id,
            title=status.title,
            state=t(lang, f"notices.states.{status.state}"),
            total=status.total,
            sent=counts["sent"],
            pending=counts["pending"],
            retrying=counts["retrying"],
            blocked=counts["blocked"],
            failed=counts["failed"],
            percent=status.percent,
        )
        + (
            "\n" + t(lang, "delivery.unknown", count=status.counts["unknown"])
            if status.counts["unknown"]
            else ""
        )
        + (
            "\n" + t(lang, "notices.email_line", total=status.email_total, **status.email)
            if status.email_total
            else ""
        )
    )


def pause_line(paused: Pause, lang: str, tz: ZoneInfo) -> str:
    local = paused.since.astimezone(tz)
    since = f"{public_day(local.date(), lang)} {local:%H:%M}"
    key = "delivery.silent" if paused.silent else "delivery.paused"
    return "⚠️ " + t(lang, key, since=since, reason=paused.reason)


@requires(*STAFF)
async def notices_list(update: Update, context: BotContext) -> None:
    """Whether delivery is paused, then recent notices with counts by status and progress."""
    assert update.effective_message is not None and context.person is not None
    found = await context.services.db.run(
        staff_overview,
        limit=10,
        with_unreachable=context.person.has_any(SECRETARIAT),
        today=utcnow().astimezone(context.services.tz).date(),
    )
    overview = found.delivery
    lines = []
    if overview.paused is not None:
        lines.append(pause_line(overview.paused, context.lang, context.services.tz))
    if not overview.notices:
        lines.append(t(context.lang, "notices.none"))
    else:
        lines.append(t(context.lang, "notices.header"))
        lines += [status_line(s, context.lang) for s in overview.notices]
    if found.unknown:
        lines.append(t(context.lang, "outbox.notices_line", count=found.unknown))
    if found.unreachable:
        lines.append(unreachable_lines(found.unreachable, context.lang))
    await update.effective_message.reply_text("\n\n".join(lines))


def unreachable_lines(certificates: list[CertificateView], lang: str) -> str:
    """The secretariat's list of certificates no chat can be told about (the first few)."""
    roc = lang == "zh-TW"
    lines = [
        t(lang, "targeting.unreachable_header", within=UNREACHABLE_DAYS, count=len(certificates))
    ]
    lines += [
        t(
            lang,
            "registry.unreachable_line",
            expires=format_day(c.expires_on, lang, roc=roc),
            tax_id=c.tax_id,
            kind=c.kind_zh if roc else c.kind_en,
            number=c.number,
            product=c.product,
        )
        for c in certificates[:SHOWN_UNREACHABLE]
    ]
    if len(certificates) > SHOWN_UNREACHABLE:
        lines.append(
            t(
                lang,
                "targeting.unreachable_more",
                count=len(certificates) - SHOWN_UNREACHABLE,
                within=UNREACHABLE_DAYS,
            )
        )
    return "\n".join(lines)
