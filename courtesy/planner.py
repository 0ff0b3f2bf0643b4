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

No database and no files: `courtesy.schedule` stores a plan and reads it back,
`courtesy.schedule_csv` writes it as CSV.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from kernel import workcalendar
from kernel.errors import UserError

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
