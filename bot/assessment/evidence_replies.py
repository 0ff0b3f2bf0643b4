"""服務遞送 per unit: the delivery of each unit's final replies to petitioners (服務便捷), for
the cases whose final reply was given in the period: given, delivered in chat (Telegram took
the latest copy), given by phone, letter or e-mail, not delivered (blocked or failed, the
cases the case list flags for an answer by phone or letter), the rest still in the outbox,
unconfirmed or without a chat, and the share that reached the petitioner."""

from __future__ import annotations

from bot.assessment.sections import Context, Section, figures, tr
from kernel.tables import Kind
from storage.queries.cases import RepliesGiven, count_replies_by_unit

NONE_GIVEN = RepliesGiven(0, 0, 0, 0)


def replies_source(context: Context) -> Section:
    """服務便捷: each unit's final replies given in the period and how they reached the
    petitioner."""
    section = Section(
        "delivery",
        "replies",
        figures(
            ("col_replies_given", Kind.COUNT),
            ("col_replies_in_chat", Kind.COUNT),
            ("col_replies_off_chat", Kind.COUNT),
            ("col_replies_undelivered", Kind.COUNT),
            ("col_replies_waiting", Kind.COUNT),
            ("col_replies_reached", Kind.PERCENT),
        ),
    )
    found = count_replies_by_unit(
        session=context.session,
        first=context.period.first,
        last=min(context.period.last, context.today),
    )
    for unit in context.units:
        r = found.get(unit.id, NONE_GIVEN) if unit.id is not None else NONE_GIVEN
        reached = r.in_chat + r.off_chat
        section.per_unit[unit.code] = [
            r.given,
            r.in_chat,
            r.off_chat,
            r.undelivered,
            r.given - reached - r.undelivered,
            reached / r.given if r.given else None,
        ]
    if not found:
        section.note = tr(context, "no_replies")
    return section
