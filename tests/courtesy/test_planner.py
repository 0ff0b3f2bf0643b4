"""The planner's rules, for random directories and seeds (hypothesis), and its refusals."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courtesy.planner import StaffEntry, draw_plan, due_date, round_sizes, window
from courtesy.schedule_csv import csv_text, plan_rows
from kernel import workcalendar
from kernel.errors import UserError
from kernel.i18n import catalogue


@st.composite
def directories(draw: st.DrawFn) -> tuple[list[StaffEntry], list[str]]:
    unit_count = draw(st.integers(min_value=1, max_value=6))
    units = [f"u{i}" for i in range(unit_count)]
    staff: list[StaffEntry] = []
    for unit in units:
        size = draw(st.integers(min_value=0, max_value=9))
        for _ in range(size):
            number = len(staff) + 1
            staff.append(
                StaffEntry(
                    id=number,
                    unit=unit,
                    name=f"staff {number}",
                    extension=f"{1000 + number}",
                    is_inspector=draw(st.booleans()),
                )
            )
    return staff, units


def check_plan(
    staff: list[StaffEntry], units: list[str], target: int, per_unit: int, plan
) -> None:
    by_id = {p.id: p for p in staff}
    assert len(plan.calls) == target
    counts = {p.id: 0 for p in staff}
    inspectors = [p.id for p in staff if p.is_inspector]
    for number, size in enumerate(round_sizes(target), start=1):
        calls = [c for c in plan.calls if c.round == number]
        assert len(calls) == size
        called = [c.staff_id for c in calls]
        assert len(called) == len(set(called)), "nobody twice in one round"
        per_unit_calls = Counter(by_id[c.staff_id].unit for c in calls)
        for unit in units:
            assert per_unit_calls[unit] >= per_unit
        for c in calls:
            counts[c.staff_id] += 1
        assert max(counts.values()) - min(counts.values()) <= 1, "nobody twice before all once"
        first, last = window(plan.year, number)
        load: dict[int, int] = defaultdict(int)
        for c in calls:
            assert first <= c.day <= last
            assert workcalendar.is_working_day(c.day)
            assert time(8, 30) <= c.at <= time(17, 25)
            assert c.inspector_id in inspectors
            assert by_id[c.inspector_id].unit != by_id[c.staff_id].unit
            load[c.inspector_id] += 1
        loads = [load[i] for i in inspectors]
        assert max(loads) - min(loads) <= 1, "inspector load within one call"


@st.composite
def plausible_requests(draw: st.DrawFn) -> tuple[list[StaffEntry], list[str], int, int]:
    """Branch-like directories (every unit staffed, inspectors in most units) and targets
    between the minimum and the head count."""
    unit_count = draw(st.integers(min_value=2, max_value=8))
    per_unit = draw(st.integers(min_value=1, max_value=2))
    units = [f"u{i}" for i in range(unit_count)]
    staff: list[StaffEntry] = []
    for unit in units:
        for k in range(draw(st.integers(min_value=3 * per_unit, max_value=12))):
            number = len(staff) + 1
            inspector = k == 0 or draw(st.integers(min_value=0, max_value=5)) == 0
            staff.append(StaffEntry(number, unit, f"s{number}", f"{1000 + number}", inspector))
    minimum = unit_count * per_unit * 3
    target = draw(st.integers(min_value=minimum, max_value=max(minimum, len(staff))))
    return staff, units, target, per_unit


KNOWN_REFUSALS = {
    "courtesy.plan.no_staff",
    "courtesy.plan.unit_without_staff",
    "courtesy.plan.target_too_low",
    "courtesy.plan.target_too_high",
    "courtesy.plan.unit_too_small",
    "courtesy.plan.no_inspectors",
    "courtesy.plan.no_outside_inspector",
    "courtesy.plan.repeat_needed",
    "courtesy.plan.round_too_small",
    "courtesy.plan.inspectors_unbalanced",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    directory=directories(),
    target=st.integers(min_value=1, max_value=60),
    per_unit=st.integers(min_value=1, max_value=2),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_every_plan_keeps_every_rule_or_is_refused_with_a_reason(
    directory: tuple[list[StaffEntry], list[str]], target: int, per_unit: int, seed: int
) -> None:
    staff, units = directory
    try:
        plan = draw_plan(
            staff=staff, units=units, year=2026, target=target, per_unit=per_unit, seed=seed
        )
    except UserError as exc:
        assert exc.key in KNOWN_REFUSALS
        assert exc.key in catalogue("zh-TW") and exc.key in catalogue("en")
        return
    check_plan(staff, units, target, per_unit, plan)
    shuffled = list(staff)
    random.Random(seed).shuffle(shuffled)
    again = draw_plan(
        staff=shuffled,
        units=list(reversed(units)),
        year=2026,
        target=target,
        per_unit=per_unit,
        seed=seed,
    )
    assert csv_text(plan_rows(again, staff)) == csv_text(plan_rows(plan, staff))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=plausible_requests(), seed=st.integers(min_value=0, max_value=2**32))
def test_branch_like_directories_get_plans_that_keep_every_rule(
    request: tuple[list[StaffEntry], list[str], int, int], seed: int
) -> None:
    staff, units, target, per_unit = request
    try:
        plan = draw_plan(
            staff=staff, units=units, year=2027, target=target, per_unit=per_unit, seed=seed
        )
    except UserError as exc:
        # Every unit is staffed and big enough here; only the inspectors' spread or a unit
        # running out of people not yet called can make a request impossible.
        assert exc.key in {
            "courtesy.plan.inspectors_unbalanced",
            "courtesy.plan.repeat_needed",
            "courtesy.plan.round_too_small",
        }
        return
    check_plan(staff, units, target, per_unit, plan)
    assert not plan.calendar_published  # 2027 is computed: the planner says so


def branch(sizes: list[int], inspectors_per_unit: int = 1) -> tuple[list[StaffEntry], list[str]]:
    units = [f"u{i:02d}" for i in range(len(sizes))]
    staff = []
    for unit, size in zip(units, sizes, strict=True):
        for k in range(size):
            n = len(staff) + 1
            staff.append(StaffEntry(n, unit, f"p{n}", f"{100 + n}", k < inspectors_per_unit))
    return staff, units


def test_a_realistic_branch_gets_a_valid_plan_and_the_same_seed_gives_the_same_csv() -> None:
    staff, units = branch([9, 9, 8, 8, 8, 8, 7, 7, 6, 6, 6, 6])
    plan = draw_plan(staff=staff, units=units, year=2026, target=80, per_unit=2, seed=42)
    check_plan(staff, units, 80, 2, plan)
    same = draw_plan(staff=staff, units=units, year=2026, target=80, per_unit=2, seed=42)
    other = draw_plan(staff=staff, units=units, year=2026, target=80, per_unit=2, seed=43)
    assert csv_text(plan_rows(same, staff)) == csv_text(plan_rows(plan, staff))
    assert csv_text(plan_rows(other, staff)) != csv_text(plan_rows(plan, staff))


def test_everybody_is_called_once_before_anybody_twice_when_the_target_exceeds_the_staff() -> None:
    staff, units = branch([5, 5, 5, 5])
    plan = draw_plan(staff=staff, units=units, year=2026, target=36, per_unit=2, seed=1)
    check_plan(staff, units, 36, 2, plan)
    assert Counter(Counter(c.staff_id for c in plan.calls).values()) == {2: 16, 1: 4}


@pytest.mark.parametrize(
    ("sizes", "inspectors", "target", "per_unit", "key"),
    [
        ([4, 0, 4], 1, 30, 1, "courtesy.plan.unit_without_staff"),
        ([6, 6], 1, 11, 2, "courtesy.plan.target_too_low"),
        ([6, 6], 0, 12, 2, "courtesy.plan.no_inspectors"),
        ([1, 6], 1, 12, 2, "courtesy.plan.unit_too_small"),
        ([2, 9], 1, 9, 1, "courtesy.plan.repeat_needed"),
        ([3, 3], 1, 30, 1, "courtesy.plan.target_too_high"),
    ],
)
def test_impossible_requests_are_refused_with_the_reason(
    sizes: list[int], inspectors: int, target: int, per_unit: int, key: str
) -> None:
    staff, units = branch(sizes, inspectors)
    with pytest.raises(UserError) as refused:
        draw_plan(staff=staff, units=units, year=2026, target=target, per_unit=per_unit, seed=0)
    assert refused.value.key == key


def test_a_unit_whose_only_inspectors_are_its_own_is_refused() -> None:
    staff = [StaffEntry(i, "u0", f"p{i}", f"{i}", True) for i in range(1, 7)]
    staff += [StaffEntry(i, "u1", f"p{i}", f"{i}", False) for i in range(7, 13)]
    with pytest.raises(UserError) as refused:
        draw_plan(staff=staff, units=["u0", "u1"], year=2026, target=12, per_unit=2, seed=0)
    assert refused.value.key == "courtesy.plan.no_outside_inspector"
    assert refused.value.values == {"unit": "u0"}


def test_results_fall_due_on_the_next_working_day_after_a_weekend_or_holiday() -> None:
    assert due_date(2026, 3) == date(2027, 1, 4)  # 2027-01-03 is a Sunday
    assert due_date(2026, 1) == date(2026, 5, 4)  # 2026-05-03 is a Sunday
    assert due_date(2026, 2) == date(2026, 9, 3)  # a Thursday stays
