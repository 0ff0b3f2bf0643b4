"""The planner: who is called in each of a year's three rounds, when, and by which inspector.

`draw_plan` is a pure function of its inputs: the directory (sorted here, so input order never
matters), the year, the target, `per_unit` and the seed. Every random choice comes from one
`random.Random(seed)` in a fixed order, so the same inputs give the same plan, byte for byte.

Rules it guarantees, or it refuses with a `UserError` whose message says why in one sentence:

* three rounds: January–April, May–August, September–December; the target is split as evenly as
  possible between them (earlier rounds take the remainder);
* stratified by unit: every unit gets at least `per_unit` calls in every round; the rest of a
  round goes to the units with the most staff not yet called (so big units get more);
* nobody twice before everybody once: after every round, the number of calls of any two active
  staff of the branch differs by at most one, and nobody is called twice in one round;
* each call on a random working day of its window (Taiwan's work calendar, make-up Saturdays
  included) at a random time from 08:30 to 17:25 in five-minute steps (the call ends by 17:30);
* each call is made by an inspector from another unit, and within a round the busiest inspector
  has at most one call more than the least busy (every active inspector counts).

Retest calls (see courtesy.actions) come on top of the plan: they are added one by one when a
call fails, keep their place when a year without results is planned again, and are not counted
by the rules above. Test ids are ``YEAR-ROUND-SEQ`` (``2026-1-007``), retests
``YEAR-ROUND-Rnn``.

It passes 500 lines because the rules above hold only together: the split into rounds, the
stratified draw, the working-day slots and the inspector assignment (a bounded flow) share the
one random sequence that makes the plan reproducible, so they stay in one module.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from kernel import csvfiles, workcalendar
from kernel.errors import UserError
from kernel.reporting import (
    format_period,
    format_round,
    format_stamp,
    plain,
    produced_now,
    use_roc,
)
from storage.models import CourtesyRound, CourtesyTest
from storage.queries.courtesy import (
    TestView,
    count_results_in_year,
    delete_year_plan,
    fetch_round,
    fetch_rounds,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)
from storage.queries.people import fetch_units

WINDOWS: tuple[tuple[int, int, int], ...] = ((1, 1, 4), (2, 5, 8), (3, 9, 12))
"""(round, first month, last month)."""

FIRST_MINUTE = 8 * 60 + 30
LAST_START_MINUTE = 17 * 60 + 25
STEP_MINUTES = 5


@dataclass(frozen=True)
class StaffEntry:
    """One active member of staff, as the planner sees them."""

    id: int
    unit: str
    name: str
    extension: str
    is_inspector: bool = False


@dataclass(frozen=True)
class PlannedCall:
    round: int
    seq: int
    day: date
    at: time
    staff_id: int
    inspector_id: int

    def code(self, year: int) -> str:
        return f"{year}-{self.round}-{self.seq:03d}"


@dataclass(frozen=True)
class Plan:
    year: int
    seed: int
    calls: tuple[PlannedCall, ...]
    calendar_published: bool


FIRST_YEAR, LAST_YEAR = 2000, 2099


def check_year(year: int) -> None:
    """Refuse a year the work calendar and the database cannot hold, with one sentence."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError("courtesy.errors.bad_year", year=year, first=FIRST_YEAR, last=LAST_YEAR)


def window(year: int, number: int) -> tuple[date, date]:
    """First and last day of round `number` of `year`."""
    _, first, last = WINDOWS[number - 1]
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)


def due_date(year: int, number: int) -> date:
    """Results are due by the 3rd of the month after the window closes, or by the next working
    day on the work calendar when the 3rd is not one (2027-01-03 is a Sunday: 2027-01-04)."""
    _, _, last = WINDOWS[number - 1]
    third = date(year + 1, 1, 3) if last == 12 else date(year, last + 1, 3)
    return workcalendar.add_working_days(third - timedelta(days=1), 1)


def round_sizes(target: int) -> list[int]:
    base, extra = divmod(target, 3)
    return [base + (1 if r < extra else 0) for r in range(3)]


def _check_directory(
    staff: Sequence[StaffEntry], units: Sequence[str], target: int, per_unit: int
) -> None:
    if per_unit < 1:
        raise UserError("courtesy.plan.per_unit_too_low")
    if not staff:
        raise UserError("courtesy.plan.no_staff")
    by_unit: dict[str, int] = defaultdict(int)
    for person in staff:
        by_unit[person.unit] += 1
    for unit in units:
        if by_unit[unit] == 0:
            raise UserError("courtesy.plan.unit_without_staff", unit=unit)
    needed = len(units) * per_unit * 3
    if target < needed:
        raise UserError(
            "courtesy.plan.target_too_low",
            target=target,
            needed=needed,
            units=len(units),
            per_unit=per_unit,
        )
    biggest_round = round_sizes(target)[0]
    if biggest_round > len(staff):
        raise UserError(
            "courtesy.plan.target_too_high", target=target, staff=len(staff), size=biggest_round
        )
    for unit in units:
        if by_unit[unit] < per_unit:
            raise UserError(
                "courtesy.plan.unit_too_small", unit=unit, staff=by_unit[unit], per_unit=per_unit
            )
    inspectors = [p for p in staff if p.is_inspector]
    if not inspectors:
        raise UserError("courtesy.plan.no_inspectors")
    for unit in units:
        if all(p.unit == unit for p in inspectors):
            raise UserError("courtesy.plan.no_outside_inspector", unit=unit)


def _quotas(
    *,
    units: Sequence[str],
    members: dict[str, list[StaffEntry]],
    counts: dict[int, int],
    size: int,
    per_unit: int,
    rounds_after: int,
    rng: random.Random,
) -> tuple[dict[str, int], int, dict[str, tuple[int, int]]]:
    """How many calls each unit gets this round, keeping every count within one of the rest.

    Returns the preferred quotas, the current lowest call count and each unit's bounds."""
    lowest = min(counts.values())
    fresh = {u: sum(1 for p in members[u] if counts[p.id] == lowest) for u in units}
    total_fresh = sum(fresh.values())
    if size <= total_fresh:
        lower = {u: per_unit for u in units}
        upper = dict(fresh)
    else:
        lower = {u: max(per_unit, fresh[u]) for u in units}
        upper = {u: len(members[u]) for u in units}
    for unit in units:
        if lower[unit] > upper[unit]:
            raise UserError(
                "courtesy.plan.repeat_needed",
                unit=unit,
                staff=len(members[unit]),
                per_unit=per_unit,
            )
    if sum(lower.values()) > size:
        raise UserError("courtesy.plan.round_too_small", size=size)
    quotas = dict(lower)
    tiebreak = {u: rng.random() for u in units}
    for _ in range(size - sum(lower.values())):
        open_units = [u for u in units if quotas[u] < upper[u]]
        if not open_units:  # pragma: no cover - sum(upper) >= size by the checks above
            raise UserError("courtesy.plan.round_too_small", size=size)

        def slack(u: str) -> tuple[int, float]:
            spare = (fresh[u] if size <= total_fresh else len(members[u])) - quotas[u]
            return spare - per_unit * rounds_after, tiebreak[u]

        chosen = max(open_units, key=slack)
        quotas[chosen] += 1
    return quotas, lowest, {u: (lower[u], upper[u]) for u in units}


def _max_flow(capacity: dict[str, dict[str, int]], source: str, sink: str) -> int:
    """Edmonds–Karp on a residual graph given as nested dicts (changed in place)."""
    flow = 0
    while True:
        parent: dict[str, str] = {source: source}
        queue = [source]
        for node in queue:
            if sink in parent:
                break
            for nxt, cap in capacity[node].items():
                if cap > 0 and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            return flow
        path_cap = None
        node = sink
        while node != source:
            cap = capacity[parent[node]][node]
            path_cap = cap if path_cap is None else min(path_cap, cap)
            node = parent[node]
        assert path_cap is not None
        node = sink
        while node != source:
            capacity[parent[node]][node] -= path_cap
            capacity[node][parent[node]] += path_cap
            node = parent[node]
        flow += path_cap


def _assign(
    inspectors: list[StaffEntry], bounds: dict[str, tuple[int, int]], size: int
) -> dict[int, dict[str, int]] | None:
    """Calls per (inspector, unit): `size` calls in all, each unit's count within its bounds,
    every inspector's load the floor or the ceiling of the mean, nobody calling their own
    unit. None if impossible.

    A feasible circulation with lower bounds (source → inspector [floor, floor+1] → other unit
    → sink [low, high], sink → source [size, size]), reduced to one max-flow from a
    super-source to a super-sink in the usual way."""
    count = len(inspectors)
    floor, extra = divmod(size, count)
    ceiling = floor + (1 if extra else 0)
    capacity: dict[str, dict[str, int]] = defaultdict(dict)
    excess: dict[str, int] = defaultdict(int)
    big = size + 1

    def edge(a: str, b: str, low: int, high: int) -> None:
        capacity[a][b] = capacity[a].get(b, 0) + high - low
        capacity[b].setdefault(a, 0)
        excess[b] += low
        excess[a] -= low

    units = sorted(u for u, (_, high) in bounds.items() if high > 0)
    for person in inspectors:
        node = f"i{person.id}"
        edge("s", node, floor, ceiling)
        for unit in units:
            if unit != person.unit:
                edge(node, f"u{unit}", 0, big)
    for unit in units:
        low, high = bounds[unit]
        edge(f"u{unit}", "t", low, high)
    edge("t", "s", size, size)
    needed = 0
    for node, value in sorted(excess.items()):
        if value > 0:
            edge("S*", node, 0, value)
            needed += value
        elif value < 0:
            edge(node, "T*", 0, -value)
    if _max_flow(capacity, "S*", "T*") < needed:
        return None
    assignment: dict[int, dict[str, int]] = {}
    for person in inspectors:
        node = f"i{person.id}"
        assignment[person.id] = {
            unit: capacity[f"u{unit}"].get(node, 0)
            for unit in units
            if unit != person.unit and capacity[f"u{unit}"].get(node, 0) > 0
        }
    return assignment


def draw_plan(
    *,
    staff: Sequence[StaffEntry],
    units: Sequence[str],
    year: int,
    target: int = 80,
    per_unit: int = 2,
    seed: int = 0,
) -> Plan:
    """Draw a year's calls; see the module docstring for the rules it keeps."""
    ordered = sorted(staff, key=lambda p: (p.unit, p.extension, p.id))
    unit_list = sorted(set(units) | {p.unit for p in ordered})
    _check_directory(ordered, unit_list, target, per_unit)
    rng = random.Random(seed)
    members: dict[str, list[StaffEntry]] = {u: [] for u in unit_list}
    for person in ordered:
        members[person.unit].append(person)
    inspectors = [p for p in ordered if p.is_inspector]
    counts = {p.id: 0 for p in ordered}
    by_id = {p.id: p for p in ordered}
    calls: list[PlannedCall] = []
    for number, size in enumerate(round_sizes(target), start=1):
        preferred, lowest, bounds = _quotas(
            units=unit_list,
            members=members,
            counts=counts,
            size=size,
            per_unit=per_unit,
            rounds_after=3 - number,
            rng=rng,
        )
        order = list(inspectors)
        rng.shuffle(order)
        # The preferred split if the inspectors can carry it evenly, else any split within
        # the units' bounds that they can.
        assignment = _assign(order, {u: (q, q) for u, q in preferred.items()}, size)
        if assignment is None:
            assignment = _assign(order, bounds, size)
        if assignment is None:
            raise UserError("courtesy.plan.inspectors_unbalanced", round=number)
        quotas = {u: 0 for u in unit_list}
        for calls_by_unit in assignment.values():
            for unit, n in calls_by_unit.items():
                quotas[unit] += n
        chosen: list[StaffEntry] = []
        for unit in unit_list:
            pool = members[unit]
            fresh = [p for p in pool if counts[p.id] == lowest]
            rest = [p for p in pool if counts[p.id] != lowest]
            quota = quotas[unit]
            if quota <= len(fresh):
                picked = rng.sample(fresh, quota)
            else:
                picked = fresh + rng.sample(rest, quota - len(fresh))
            chosen.extend(sorted(picked, key=lambda p: p.extension))
        for person in chosen:
            counts[person.id] += 1
        queue: dict[str, list[int]] = defaultdict(list)
        for inspector in order:
            for unit, n in sorted(assignment[inspector.id].items()):
                queue[unit].extend([inspector.id] * n)
        for unit in queue:
            rng.shuffle(queue[unit])
        first, last = window(year, number)
        days = workcalendar.working_days_in(first, last)
        drafted = []
        for person in chosen:
            day = rng.choice(days)
            minute = rng.randrange(FIRST_MINUTE, LAST_START_MINUTE + 1, STEP_MINUTES)
            drafted.append(
                (day, time(minute // 60, minute % 60), person, queue[person.unit].pop())
            )
        drafted.sort(key=lambda d: (d[0], d[1], d[2].unit, d[2].extension))
        for seq, (day, at, person, inspector_id) in enumerate(drafted, start=1):
            assert by_id[inspector_id].unit != person.unit
            calls.append(PlannedCall(number, seq, day, at, person.id, inspector_id))
    return Plan(
        year=year,
        seed=seed,
        calls=tuple(calls),
        calendar_published=workcalendar.is_published(year),
    )


CSV_HEADER = (
    "test_id",
    "round",
    "date",
    "time",
    "unit",
    "staff",
    "extension",
    "inspector",
    "inspector_unit",
)


def csv_text(
    rows: Sequence[Sequence[object]], *, language: str = "zh-TW", caption: str = ""
) -> str:
    """The schedule as CSV text, through the one CSV writer (`kernel.csvfiles`): a caption
    line, the header in `language`, the rows (no BOM: it is printed)."""
    header = [plain(language, f"reports.schedule.{column}") for column in CSV_HEADER]
    return csvfiles.csv_text(caption, header, rows, newline="\n")


def plan_rows(plan: Plan, staff: Sequence[StaffEntry]) -> list[tuple[object, ...]]:
    """The CSV rows of a drawn plan, in round, date and time order."""
    by_id = {p.id: p for p in staff}
    rows: list[tuple[object, ...]] = []
    for call in plan.calls:
        person, inspector = by_id[call.staff_id], by_id[call.inspector_id]
        rows.append(
            (
                call.code(plan.year),
                call.round,
                call.day.isoformat(),
                call.at.strftime("%H:%M"),
                person.unit,
                person.name,
                person.extension,
                inspector.name,
                inspector.unit,
            )
        )
    return rows


def view_rows(
    views: Sequence[TestView],
    *,
    language: str = "zh-TW",
    roc: bool = False,
    unit_names: dict[str, str] | None = None,
) -> list[tuple[object, ...]]:
    """The CSV rows of stored calls (retests included), as a spreadsheet keeps them: codes
    with `#`, rounds as `2026 R1`, dates with their weekday, unit names not codes."""
    names = unit_names or {}
    ordered = sorted(views, key=lambda v: (v.round, v.day, v.at, v.code))
    return [
        (
            csvfiles.code(v.code),
            format_round(v.year, v.round, language, roc=roc),
            csvfiles.csv_day(v.day, language, roc=roc),
            v.at.strftime("%H:%M"),
            v.unit_name(language),
            v.staff_name,
            v.extension,
            v.inspector_name,
            names.get(v.inspector_unit, v.inspector_unit),
        )
        for v in ordered
    ]


def directory_entries(*, session: Session) -> tuple[list[StaffEntry], list[str]]:
    """Active staff as planner entries, and the active units that must be covered."""
    units = fetch_unit_codes(session=session)
    entries = [
        StaffEntry(
            id=s.id or 0,
            unit=units[s.unit_id].code,
            name=s.name,
            extension=s.extension,
            is_inspector=s.is_inspector,
        )
        for s in fetch_staff(session=session)
    ]
    required = [u.code for u in fetch_units(session=session)]
    return entries, required


def plan_year(
    *, session: Session, year: int, target: int = 80, per_unit: int = 2, seed: int | None = None
) -> Plan:
    """Draw and store a year's three rounds, replacing a plan that has no results yet."""
    check_year(year)
    if seed is not None and not 0 <= seed < 2**31:
        raise UserError("courtesy.plan.bad_seed", most=2**31 - 1)
    if count_results_in_year(session=session, year=year):
        raise UserError("courtesy.plan.has_results", year=year)
    entries, required = directory_entries(session=session)
    chosen_seed = year if seed is None else seed
    plan = draw_plan(
        staff=entries,
        units=required,
        year=year,
        target=target,
        per_unit=per_unit,
        seed=chosen_seed,
    )
    delete_year_plan(session=session, year=year)
    round_ids: dict[int, int] = {}
    for number in (1, 2, 3):
        first, last = window(year, number)
        row = fetch_round(session=session, year=year, number=number) or CourtesyRound(
            year=year, number=number, starts_on=first, ends_on=last, due_on=first, seed=0
        )
        row.starts_on, row.ends_on, row.due_on = first, last, due_date(year, number)
        row.seed, row.calendar_published = chosen_seed, plan.calendar_published
        session.add(row)
        session.flush()
        assert row.id is not None
        round_ids[number] = row.id
    session.add_all(
        CourtesyTest(
            code=call.code(year),
            round_id=round_ids[call.round],
            staff_id=call.staff_id,
            inspector_id=call.inspector_id,
            scheduled_on=call.day,
            scheduled_time=call.at,
        )
        for call in plan.calls
    )
    session.flush()
    return plan


def schedule_views(*, session: Session, year: int) -> list[TestView]:
    """The stored calls of `year` (retests included) in round, date and time order."""
    check_year(year)
    if not fetch_rounds(session=session, year=year):
        raise UserError("courtesy.plan.none", year=year)
    views = fetch_test_views(session=session, year=year)
    return sorted(views, key=lambda v: (v.round, v.day, v.at, v.code))


def schedule_csv(
    *,
    session: Session,
    year: int,
    language: str = "zh-TW",
    western: bool = False,
    produced: datetime | None = None,
) -> str:
    """The stored plan of `year` as CSV, retests included, headers in `language` and a first
    line saying which year it covers and when it was produced."""
    roc = use_roc(language, western=western)
    views = schedule_views(session=session, year=year)
    rounds = fetch_rounds(session=session, year=year)
    unit_names = {u.code: u.name_in(language) for u in fetch_units(session=session)}
    caption = plain(
        language,
        "reports.schedule.caption",
        year=year - 1911 if roc and language == "zh-TW" else year,
        period=format_period(rounds[0].starts_on, rounds[-1].ends_on, language, roc=roc),
        stamp=format_stamp(produced or produced_now(), language, roc=roc),
    )
    rows = view_rows(views, language=language, roc=roc, unit_names=unit_names)
    return csv_text(rows, language=language, caption=caption)
