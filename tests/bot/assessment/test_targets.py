"""Yearly targets (bot/assessment/targets.py): any subset of the figures set, the rest the
plan's and named as such, each setting audited with who and what; a year, a figure or a name
out of bounds is refused and nothing is written; every year set is listed, oldest first."""

from __future__ import annotations

import pytest

from bot.assessment.targets import LIMIT, list_targets, set_targets
from kernel.errors import UserError
from storage.db import Database
from storage.queries.assessment import PLAN_TARGETS
from storage.queries.audit import fetch_audit


def test_figures_set_in_part_keep_the_plans_for_the_rest_and_are_audited(db: Database) -> None:
    first = db.call(set_targets, year=2027, figures={"public": 380, "monitor": None}, by="cli")
    assert (first.public, first.monitor, first.courtesy) == (
        380,
        PLAN_TARGETS["monitor"],
        PLAN_TARGETS["courtesy"],
    )
    assert first.defaulted == {"monitor", "courtesy", "training"}
    later = db.call(set_targets, year=2027, figures={"courtesy": 90, "monitor": 240}, by="cli")
    assert (later.public, later.monitor, later.courtesy) == (380, 240, 90)
    assert later.defaulted == {"training"}
    audits = [(a.action, a.target, a.detail) for a in db.call(fetch_audit)]
    assert ("target.set", "2027", "cli: public=380") in audits
    assert ("target.set", "2027", "cli: courtesy=90, monitor=240") in audits


@pytest.mark.parametrize(
    ("year", "figures", "key"),
    [
        (1999, {"public": 1}, "targets.bad_year"),
        (3000, {"public": 1}, "targets.bad_year"),
        (2027, {}, "targets.nothing"),
        (2027, {"public": None, "courtesy": None}, "targets.nothing"),
        (2027, {"public": 0}, "targets.bad_value"),
        (2027, {"monitor": -5}, "targets.bad_value"),
        (2027, {"public": 1, "courtesy": LIMIT + 1}, "targets.bad_value"),
    ],
)
def test_a_bad_year_or_figure_is_refused_and_nothing_is_written(
    db: Database, year: int, figures: dict[str, int | None], key: str
) -> None:
    with pytest.raises(UserError) as raised:
        db.call(set_targets, year=year, figures=figures, by="cli")
    assert raised.value.key == key
    assert db.call(list_targets) == []
    assert db.call(fetch_audit) == []


def test_a_figure_of_no_known_name_is_a_programming_error(db: Database) -> None:
    with pytest.raises(ValueError, match="visits"):
        db.call(set_targets, year=2027, figures={"visits": 3}, by="cli")


def test_every_year_set_is_listed_oldest_first_with_the_plans_figures_filled_in(
    db: Database,
) -> None:
    db.call(set_targets, year=2028, figures={"monitor": LIMIT}, by="cli")
    db.call(set_targets, year=2026, figures={"public": 300}, by="cli")
    listed = db.call(list_targets)
    assert [t.year for t in listed] == [2026, 2028]
    assert (listed[0].public, listed[0].monitor) == (300, PLAN_TARGETS["monitor"])
    assert (listed[1].public, listed[1].monitor) == (PLAN_TARGETS["public"], LIMIT)
    assert listed[1].defaulted == {"public", "courtesy", "training"}
