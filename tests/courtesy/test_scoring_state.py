"""The state of a scoring conversation: read back from the shape stored before a restart (a
damaged one has ended), taking each item's points in turn, and the total and verdict."""

from __future__ import annotations

from courtesy.rubric import BUSINESS, DEFAULT_TEMPLATES
from courtesy.scoring_state import ScoringState
from tests.courtesy.plans import FAILING


def test_a_stored_scoring_state_of_the_shape_kept_before_is_read_and_a_damaged_one_has_ended() -> (
    None
):
    items = [i.to_json() for i in DEFAULT_TEMPLATES[BUSINESS][2]]
    stored = {
        "code": "2026-1-001",
        "rubric_id": 1,
        "items": items,
        "index": 1,
        "points": {"speed": 25},
        "note": None,
    }
    state = ScoringState.from_dict(stored)
    assert state is not None and state.to_dict() == stored
    assert state.current is not None and state.current.code == "unit_name"
    assert state.accepts("2026-1-001", 1, 8)
    assert not state.accepts("2026-1-001", 0, 25)  # an earlier item's button
    assert not state.accepts("2026-1-002", 1, 8)  # another call's button
    assert not state.accepts("2026-1-001", 1, 7)  # points the item does not allow
    for damaged in (None, {}, [], {"code": "x"}, dict(stored, index=99), dict(stored, items=[])):
        assert ScoringState.from_dict(damaged) is None


def test_scoring_every_item_gives_the_total_and_the_verdict() -> None:
    items = DEFAULT_TEMPLATES[BUSINESS][2]
    state = ScoringState(code="2026-1-001", rubric_id=1, items=items)
    for item in items:
        assert state.take(FAILING[item.code]) is item
    assert state.current is None and not state.accepts("2026-1-001", len(items), 0)
    outcome = state.outcome(80)
    assert outcome.total == 60 and not outcome.passed
