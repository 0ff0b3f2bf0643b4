"""Evidence of the branch reaching out to firms: visits per unit (服務量能, 三(二) 服務機制精進:
企業關懷活動、赴廠瞭解業者需求), the needs collected from firms by visits, phone and e-mail and
answered on time per unit (開放創新, 五(一) 開放參與), and the notice network's reach again
under 五(二) 創新服務, where the plan names it (one branch row, the sum of the categories shown
under 服務遞送). Figures come from `bot.visits.listing`, the builder of `visit list`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.assessment.sections import Context, Section, figures, tr
from bot.visits.listing import VisitList, build_visit_list
from kernel.tables import Kind
from storage.queries.assessment import fetch_notice_reach


def _listing(context: Context) -> VisitList:
    return build_visit_list(context.session, period=context.period, today=context.today)


def visits_source(context: Context) -> Section:
    """服務機制精進: visits in the period per unit, the firms visited and the needs collected."""
    section = Section(
        "capacity",
        "visits",
        figures(
            ("col_visits", Kind.COUNT),
            ("col_firms_visited", Kind.COUNT),
            ("col_needs_collected", Kind.COUNT),
        ),
    )
    listing = _listing(context)
    for unit in context.units:
        c = listing.counts_of(unit.id)
        section.per_unit[unit.code] = [c.visits, c.firms, c.needs]
    return section


def needs_source(context: Context) -> Section:
    """開放參與: needs raised in the period per unit (by visits, phone, e-mail), answered, on
    time, late, open, and the share on time of those whose outcome is known."""
    section = Section(
        "innovation",
        "needs",
        figures(
            ("col_needs_collected", Kind.COUNT),
            ("col_needs_answered", Kind.COUNT),
            ("col_needs_on_time", Kind.COUNT),
            ("col_needs_late", Kind.COUNT),
            ("col_needs_open", Kind.COUNT),
            ("col_needs_on_time_share", Kind.PERCENT),
        ),
    )
    listing = _listing(context)
    for unit in context.units:
        c = listing.counts_of(unit.id)
        section.per_unit[unit.code] = [
            c.needs,
            c.answered,
            c.on_time,
            c.late,
            c.open,
            c.share_on_time,
        ]
    return section


def reach_source(context: Context) -> Section:
    """創新服務: the notice network's notices and chats reached in the period, as one branch row
    adding up the categories of 服務遞送's section."""
    section = Section(
        "innovation",
        "reach",
        figures(("col_notices", Kind.COUNT), ("col_reached", Kind.COUNT)),
        note=tr(context, "reach_note"),
    )
    start = datetime.combine(context.period.first, time(0), tzinfo=context.tz)
    end = datetime.combine(min(context.period.last, context.today), time(0), tzinfo=context.tz)
    found = fetch_notice_reach(session=context.session, start=start, end=end + timedelta(days=1))
    section.rows.append(
        (
            tr(context, "reach_branch"),
            [sum(n for _, n, _ in found), sum(r for _, _, r in found)],
        )
    )
    return section
