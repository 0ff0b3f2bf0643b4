"""Visits and needs as the domain keeps them: a visit with two needs, one answered on time and
one late, counted as such; deadlines on the work calendar; bad input refused whole; needs that
came by phone; an answer given once, by the need's unit, not before the need."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.settings import SettingsError, load_settings
from bot.visits.listing import NeedState, build_visit_list
from bot.visits.recording import VisitDraft, answer_need, record_need, record_visit
from kernel import workcalendar
from kernel.errors import UserError
from kernel.periods import Period
from storage.db import Database
from storage.models import AuditEntry, FirmNeed, Visit
from storage.queries.people import fetch_unit_by_code

TODAY = date(2026, 11, 26)
H1 = Period(2026, half=1)
FIRM = "04595257"


def visit(db: Database, on: str, *needs: str, unit: str = "sec1", tax_id: str = FIRM):  # type: ignore[no-untyped-def]
    return db.call(
        record_visit,
        draft=VisitDraft(
            on=on, unit=unit, tax_id=tax_id, firm="新竹電子股份有限公司", needs=list(needs)
        ),
        today=TODAY,
        answer_days=30,
        by="cli:tester",
        actor_telegram_id=None,
    )


def answer(db: Database, need_id: int | None, on: str, **kw: object) -> FirmNeed:
    assert need_id is not None
    return db.call(
        answer_need,
        need_id=need_id,
        text="已說明檢驗規定及申請方式。",
        on=on,
        today=TODAY,
        by="cli:tester",
        actor_telegram_id=None,
        **kw,  # type: ignore[arg-type]
    )


def test_a_visit_with_two_needs_one_answered_on_time_one_late_is_counted_so(
    db: Database,
) -> None:
    recorded = visit(db, "115/02/10", "希望說明新列檢商品的檢驗方式", "請協助確認報驗文件")
    first, second = recorded.needs
    # 30 working days from 10 February 2026, across the Lunar New Year holidays.
    assert first.due_on == workcalendar.add_working_days(date(2026, 2, 10), 30)
    assert workcalendar.working_days_between(date(2026, 2, 10), first.due_on) == 30
    assert (first.due_on - date(2026, 2, 10)).days > 42  # the holidays pushed it out
    answer(db, first.id, "2026-03-02")
    answer(db, second.id, workcalendar.add_working_days(first.due_on, 1).isoformat())
    listing = db.call(build_visit_list, period=H1, today=TODAY)
    (line,) = listing.visits
    assert [listing.state(n) for n in line.needs] == [NeedState.ON_TIME, NeedState.LATE]
    sec1 = db.call(lambda session: fetch_unit_by_code(session=session, code="sec1"))
    assert sec1 is not None
    counts = listing.counts_of(sec1.id)
    assert (counts.visits, counts.firms, counts.needs) == (1, 1, 2)
    assert (counts.answered, counts.on_time, counts.late, counts.open) == (2, 1, 1, 0)
    assert counts.share_on_time == 0.5
    sec2 = db.call(lambda session: fetch_unit_by_code(session=session, code="sec2"))
    assert sec2 is not None and listing.counts_of(sec2.id).visits == 0
    actions = db.call(lambda session: [a.action for a in session.exec(select(AuditEntry)).all()])
    assert actions.count("visit.add") == 1 and actions.count("visit.answer") == 2


def test_an_unanswered_need_is_open_then_overdue_after_its_deadline(db: Database) -> None:
    (need,) = visit(db, "2026-03-02", "希望舉辦說明會").needs
    listing = db.call(build_visit_list, period=H1, today=need.due_on)
    assert listing.state(listing.visits[0].needs[0]) is NeedState.OPEN
    later = db.call(build_visit_list, period=H1, today=TODAY)
    assert later.state(later.visits[0].needs[0]) is NeedState.OVERDUE
    counts = later.counts_of(need.unit_id)
    assert (counts.open, counts.overdue, counts.share_on_time) == (1, 1, 0.0)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"tax_id": "04595258"}, "notices.tax_id_check"),
        ({"tax_id": "#0459525"}, "notices.tax_id_shape"),
        ({"on": "2026-13-01"}, "visits.bad_date"),
        ({"on": "2026-11-27"}, "visits.future_date"),
        ({"unit": "sec9"}, "visits.unknown_unit"),
        ({"kind": "party"}, "visits.bad_kind"),
        ({"needs": ["ok", "   "]}, "visits.text_empty"),
        ({"needs": ["x" * 2001]}, "visits.text_too_long"),
    ],
)
def test_bad_input_is_refused_whole(db: Database, change: dict[str, object], key: str) -> None:
    given = {"on": "2026-03-02", "unit": "sec1", "tax_id": "#04595257", "needs": ["a need"]}
    with pytest.raises(UserError) as refused:
        db.call(
            record_visit,
            draft=VisitDraft(**{**given, **change}),  # type: ignore[arg-type]
            today=TODAY,
            answer_days=30,
            by="cli:tester",
            actor_telegram_id=None,
        )
    assert refused.value.key == key
    assert db.call(lambda session: session.exec(select(Visit)).all()) == []
    assert db.call(lambda session: session.exec(select(FirmNeed)).all()) == []


def test_a_need_by_phone_has_no_visit_and_counts_for_its_unit(db: Database) -> None:
    need = db.call(
        record_need,
        unit="第二課",
        tax_id="#04595257",
        channel="phone",
        text="詢問輸入商品報驗流程",
        on="2026-04-01",
        firm=None,
        today=TODAY,
        answer_days=30,
        by="cli:tester",
        actor_telegram_id=None,
    )
    assert need.visit_id is None and need.tax_id == FIRM and need.channel == "phone"
    listing = db.call(build_visit_list, period=H1, today=TODAY)
    assert [n.id for n in listing.lone] == [need.id] and listing.visits == []
    counts = listing.counts_of(need.unit_id)
    assert (counts.visits, counts.needs, counts.open) == (0, 1, 1)


def test_an_answer_is_given_once_by_the_needs_unit_and_not_before_the_need(
    db: Database,
) -> None:
    (need,) = visit(db, "2026-03-02", "希望說明標示規定").needs
    with pytest.raises(UserError) as early:
        answer(db, need.id, "2026-03-01")
    assert early.value.key == "visits.answer_before_raised"
    with pytest.raises(UserError) as other_unit:
        answer(db, need.id, "2026-03-03", unit_ids=frozenset({need.unit_id + 1}))
    assert other_unit.value.key == "visits.no_need"
    answer(db, need.id, "2026-03-03", unit_ids=frozenset({need.unit_id}))
    with pytest.raises(UserError) as twice:
        answer(db, need.id, "2026-03-04")
    assert twice.value.key == "visits.already_answered"


def test_need_answer_days_is_a_checked_setting() -> None:
    assert load_settings(need_answer_days=20).need_answer_days == 20
    with pytest.raises(SettingsError) as refused:
        load_settings(need_answer_days=0)
    assert "NEED_ANSWER_DAYS" in str(refused.value)
