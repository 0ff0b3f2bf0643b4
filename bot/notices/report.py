"""The monthly notices report, sibling of the complaints summary: notices (by Telegram, by
e-mail, and the e-mail digests) and expiry reminders released in a month with their recipients
and delivery outcomes (delivered, blocked, failed), reminders sent by certificate kind, and the
certificates the bot cannot reach. One HTML page
(chart inline, its figures in a table) and one CSV per table, in the reports' style; the tables
are declared once (`kernel.tables`) and read by both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session

from kernel import charts
from kernel.charts import grouped_bars, pyplot
from kernel.pages import page, render_page
from kernel.reporting import format_month, format_period, plain, use_roc
from kernel.tables import Column, CsvTable, Kind, ReportFiles, Table, write_report_files
from storage.models.notices import NoticeKind
from storage.queries import mail as mail_q
from storage.queries import notices as notices_q
from storage.queries.registry import certificates as certificates_q
from storage.queries.registry import figures as figures_q

UNREACHABLE_WITHIN = 90


@dataclass(frozen=True)
class Line:
    """One row of the delivery table: notices or reminders."""

    key: str
    released: int
    recipients: int
    delivered: int
    blocked: int
    failed: int
    open: int
    unknown: int


@dataclass(frozen=True)
class KindLine:
    code: str
    name_zh: str
    name_en: str
    sent: int
    chats: int


@dataclass(frozen=True)
class NoticesReport:
    year: int
    month: int
    first: date
    last: date
    lines: list[Line]
    kinds: list[KindLine]
    unreachable_month: int
    unreachable: list[certificates_q.CertificateView]
    as_of: date


def _line(key: str, figures: figures_q.NoticeFigures) -> Line:
    c = figures.counts
    return Line(
        key,
        figures.notices,
        figures.recipients,
        c.get("sent", 0),
        c.get("blocked", 0),
        c.get("failed", 0),
        c.get("pending", 0) + c.get("retrying", 0),
        c.get("unknown", 0),
    )


def build_report(
    session: Session, *, year: int, month: int, tz: ZoneInfo, today: date
) -> NoticesReport:
    """The month's figures (local months in `tz`) and the certificates unreachable now."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(following, time(0), tzinfo=tz)
    lines = [
        _line(
            "notices",
            figures_q.fetch_notice_figures(
                session=session, start=start, end=end, kind=NoticeKind.NOTICE.value
            ),
        ),
        _line(
            "notices_email",
            mail_q.fetch_email_figures(
                session=session, start=start, end=end, kind=NoticeKind.NOTICE.value
            ),
        ),
        _line(
            "digests_email",
            mail_q.fetch_email_figures(
                session=session, start=start, end=end, kind=NoticeKind.EMAIL_DIGEST.value
            ),
        ),
        _line(
            "reminders",
            figures_q.fetch_notice_figures(
                session=session, start=start, end=end, kind=NoticeKind.REMINDER.value
            ),
        ),
    ]
    names = {c.code: c for c in notices_q.fetch_categories(session=session, include_retired=True)}
    kinds = [
        KindLine(code, names[code].name_zh, names[code].name_en, sent, chats)
        for code, sent, chats in figures_q.fetch_reminders_sent_by_kind(
            session=session, start=start, end=end
        )
    ]
    return NoticesReport(
        year=year,
        month=month,
        first=first,
        last=following - timedelta(days=1),
        lines=lines,
        kinds=kinds,
        unreachable_month=figures_q.count_reminders_unreachable(
            session=session, start=start, end=end
        ),
        unreachable=certificates_q.fetch_unreachable_certificates(
            session=session, first=today, last=today + timedelta(days=UNREACHABLE_WITHIN)
        ),
        as_of=today,
    )


def _kind_name(kind: KindLine | certificates_q.CertificateView, language: str) -> str:
    if isinstance(kind, KindLine):
        return kind.name_zh if language == "zh-TW" else kind.name_en
    return kind.kind_zh if language == "zh-TW" else kind.kind_en


def _draw_chart(report: NoticesReport, language: str, month_label: str) -> Any:
    """Delivered, blocked and failed for notices and reminders, as a grouped bar chart."""
    return grouped_bars(
        [plain(language, f"notices_report.{line.key}") for line in report.lines],
        [
            (plain(language, key), values, colour)
            for key, values, colour in (
                ("notices_report.delivered", [x.delivered for x in report.lines], "#1f4e99"),
                ("notices_report.blocked", [x.blocked for x in report.lines], "#b35900"),
                ("notices_report.failed", [x.failed for x in report.lines], "#8c1c1c"),
            )
        ],
        title=plain(language, "notices_report.chart_caption", month=month_label),
        ylabel=plain(language, "notices_report.count"),
    )


def chart_svg(report: NoticesReport, language: str, month_label: str) -> Markup:
    figure = _draw_chart(report, language, month_label)
    try:
        label = plain(language, "notices_report.chart_caption", month=month_label)
        return charts.inline_svg(figure, label=label, key="delivery")
    finally:
        pyplot().close(figure)


T = TypeVar("T")


class Shown(NamedTuple, Generic[T]):
    """A row of one of the report's tables: what it is, named in the report's language, and
    what it counts."""

    name: str
    item: T


HEADS = ("released", "recipients", "delivered", "blocked", "failed", "open", "unknown")

DELIVERY: Table[Shown[Line]] = Table(
    "notices_report.summary_caption",
    (
        Column("notices_report.what", attrgetter("name"), Kind.TEXT),
        *(Column(f"notices_report.{h}", attrgetter(f"item.{h}"), Kind.COUNT) for h in HEADS),
    ),
    empty=None,
)
"""Notices and reminders: released, recipients and each delivery outcome."""

KINDS: Table[Shown[KindLine]] = Table(
    "notices_report.by_kind_caption",
    (
        Column("notices_report.kind", attrgetter("name"), Kind.TEXT),
        Column("notices_report.sent", attrgetter("item.sent"), Kind.COUNT),
        Column("notices_report.chats", attrgetter("item.chats"), Kind.COUNT),
    ),
    empty=None,
)
"""Expiry reminders sent by certificate kind, and the chats they reached."""

UNREACHABLE: Table[Shown[certificates_q.CertificateView]] = Table(
    "notices_report.unreachable_caption",
    (
        Column("notices_report.tax_id", attrgetter("item.tax_id"), Kind.CODE, css="name"),
        Column("notices_report.kind", attrgetter("name"), Kind.TEXT, css=""),
        Column("notices_report.number", attrgetter("item.number"), Kind.TEXT, css=""),
        Column("notices_report.product", attrgetter("item.product"), Kind.TEXT, css=""),
        Column("notices_report.expires", attrgetter("item.expires_on"), Kind.DATE, css=""),
    ),
    empty=None,
)
"""The certificates expiring soon whose holder the bot cannot reach."""


@dataclass(frozen=True)
class Shows:
    """The rows of the report's tables in one language, and their captions (by the suffix of
    their CSV file)."""

    delivery: list[Shown[Line]]
    kinds: list[Shown[KindLine]]
    unreachable: list[Shown[certificates_q.CertificateView]]
    captions: dict[str, str]


def _shows(report: NoticesReport, language: str, roc: bool) -> Shows:
    month = format_month(report.year, report.month, language, roc=roc)
    return Shows(
        delivery=[Shown(plain(language, f"notices_report.{x.key}"), x) for x in report.lines],
        kinds=[Shown(_kind_name(k, language), k) for k in report.kinds],
        unreachable=[Shown(_kind_name(c, language), c) for c in report.unreachable],
        captions={
            "delivery": plain(language, "notices_report.summary_caption", month=month),
            "kinds": plain(language, "notices_report.by_kind_caption", month=month),
            "unreachable": plain(language, "notices_report.unreachable_caption"),
        },
    )


def tables(report: NoticesReport, language: str, roc: bool) -> list[CsvTable]:
    """Each CSV of the report: one table per file, captioned as on the page."""
    shows = _shows(report, language, roc)
    captions = shows.captions
    return [
        DELIVERY.csv("delivery", shows.delivery, language, roc=roc, caption=captions["delivery"]),
        KINDS.csv("kinds", shows.kinds, language, roc=roc, caption=captions["kinds"]),
        UNREACHABLE.csv(
            "unreachable", shows.unreachable, language, roc=roc, caption=captions["unreachable"]
        ),
    ]


def render_html(report: NoticesReport, language: str, *, roc: bool, produced: datetime) -> str:
    """The page: its three tables (those of the CSV files) and the chart."""
    month_label = format_month(report.year, report.month, language, roc=roc)
    return render_page(
        "reports/notices.html.j2",
        page=page(
            language,
            plain(language, "notices_report.heading", month=month_label),
            produced,
            roc=roc,
        ),
        r=report,
        period=format_period(report.first, report.last, language, roc=roc),
        shows=_shows(report, language, roc),
        delivery=DELIVERY,
        kinds=KINDS,
        unreachable=UNREACHABLE,
        chart=chart_svg(report, language, month_label),
        unreachable_month=plain(
            language, "notices_report.unreachable_month", count=report.unreachable_month
        ),
    )


def write_report(
    report: NoticesReport,
    out_dir: Path,
    language: str,
    *,
    roc: bool = False,
    western: bool = False,
    produced: datetime,
) -> list[Path]:
    """DIR/notices-YYYY-MM.html and one CSV per table (-delivery, -kinds, -unreachable)."""
    roc = use_roc(language, roc=roc, western=western)
    files = ReportFiles(
        stem=f"notices-{report.year:04d}-{report.month:02d}",
        language=language,
        roc=roc,
        title=plain(language, "notices_report.title"),  # the table's caption names the month
        period=format_period(report.first, report.last, language, roc=roc),
        page=lambda when: render_html(report, language, roc=roc, produced=when),
        tables=tables(report, language, roc),
    )
    return write_report_files(files, out_dir, produced=produced)
