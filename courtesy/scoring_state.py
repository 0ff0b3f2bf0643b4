"""One call being scored in chat, item by item: the state kept in the inspector's user data
between button presses (JSON, so it survives a restart).

A button names the call and the item's position, so a button of an earlier item, or of another
call's abandoned scoring, cannot score the current one (`accepts`). A stored state that cannot
be read (an older or damaged shape) reads as None: the scoring has ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from courtesy.rubric import Item, Rubric, Score, score


@dataclass
class ScoringState:
    """The call, its rubric's items, the position reached, the points given and the note."""

    code: str
    rubric_id: int
    items: tuple[Item, ...]
    index: int = 0
    points: dict[str, int] = field(default_factory=dict)
    note: str | None = None

    @classmethod
    def start(cls, code: str, rubric: Rubric) -> ScoringState:
        return cls(code=code, rubric_id=rubric.id, items=rubric.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rubric_id": self.rubric_id,
            "items": [i.to_json() for i in self.items],
            "index": self.index,
            "points": dict(self.points),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: object) -> ScoringState | None:
        """The state stored by `to_dict` (the same shape the chat has always stored), or None
        when there is none or it cannot be read."""
        if not isinstance(data, dict) or not data:
            return None
        try:
            items = tuple(Item.from_json(i) for i in data["items"])
            points = data.get("points") or {}
            note = data.get("note")
            state = cls(
                code=str(data["code"]),
                rubric_id=int(data["rubric_id"]),
                items=items,
                index=int(data["index"]),
                points={str(code): int(value) for code, value in points.items()},
                note=note if isinstance(note, str) else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if not items or not 0 <= state.index <= len(items):
            return None
        return state

    @property
    def current(self) -> Item | None:
        """The item to score now; None once every item has its points."""
        return self.items[self.index] if self.index < len(self.items) else None

    def accepts(self, code: str, index: int, points: int) -> bool:
        """Whether a button (call, item position, points) scores the current item."""
        item = self.current
        return (
            item is not None
            and code == self.code
            and index == self.index
            and (points in item.choices)
        )

    def take(self, points: int) -> Item:
        """Give the current item `points` and move on; returns the item scored."""
        item = self.current
        assert item is not None
        self.points[item.code] = points
        self.index += 1
        return item

    def rubric(self) -> Rubric:
        """The items as a rubric, enough to compute the total (names of the version aside)."""
        return Rubric(
            id=self.rubric_id, template="", version=0, name_zh="", name_en="", items=self.items
        )

    def outcome(self, pass_mark: int) -> Score:
        """The total, grade and verdict of the points given."""
        return score(self.rubric(), self.points, pass_mark=pass_mark)
