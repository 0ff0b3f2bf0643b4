"""Scoring rubrics: the default templates, versions, and how a total and a grade are computed.

A rubric is a list of items, each with a code, its maximum points, the points an inspector may
give (`choices`, the buttons in chat; the CLI accepts exactly these), and whether 0 on it is a
critical failure. Rubrics are versioned per template: adding a version never changes a result,
because each result stores the id of the version it was scored with.

**Totals are always on a 100-point scale**: ``total = 100 × points earned ÷ points possible``,
rounded to one decimal. The business-unit template is worth 100 points, so its total is the
plain sum.

**The switchboard template** (總機) weighs answer speed and courtesy 25 : 20. Its items are answer
speed (`speed`, 25 points on the business-unit scale) and the three opening-courtesy items that
add up to 20 points: naming the unit (`unit_name`, 8), the greeting (`greeting`, 6) and giving
one's own surname (`surname`, 6). Tone, accuracy, handling and closing belong to the unit the
call is put through to, so they are not the switchboard's. 45 points possible, scaled to 100:
every switchboard point is worth 100/45 ≈ 2.22 points of the total, so speed counts 55.6 and
courtesy 44.4 of 100.

**Grades** (on the total): 優 ≥ 90, 甲 80–89, 乙 70–79, 丙 60–69, 丁 below 60 (a total of 89.9 is
甲: bands are lower bounds). A result **passes** when its total is at least the pass mark
(`COURTESY_PASS_MARK`, 80 by default) and no critical item scored 0; a speed of 0 (not answered
and not picked up by a colleague) is critical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel.errors import UserError
from kernel.i18n import t

BUSINESS = "business"
SWITCHBOARD = "switchboard"


@dataclass(frozen=True)
class Item:
    code: str
    max_points: int
    choices: tuple[int, ...]
    name_zh: str
    name_en: str
    critical_zero: bool = False

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh-TW" else self.name_en

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "max": self.max_points,
            "choices": list(self.choices),
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "critical_zero": self.critical_zero,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        return cls(
            code=str(data["code"]),
            max_points=int(data["max"]),
            choices=tuple(sorted({int(c) for c in data["choices"]}, reverse=True)),
            name_zh=str(data["name_zh"]),
            name_en=str(data["name_en"]),
            critical_zero=bool(data.get("critical_zero", False)),
        )


SPEED = Item("speed", 25, (25, 20, 10, 0), "接聽速度", "Answer speed", critical_zero=True)
UNIT_NAME = Item("unit_name", 8, (8, 4, 0), "報明單位", "Names the unit")
GREETING = Item("greeting", 6, (6, 3, 0), "問候語", "Greeting")
SURNAME = Item("surname", 6, (6, 3, 0), "報明姓氏", "Gives own surname")
TONE = Item("tone", 20, (20, 15, 10, 5, 0), "語氣與態度", "Tone and attitude")
ACCURACY = Item("accuracy", 15, (15, 10, 5, 0), "答覆正確具體", "Answer correct and specific")
HANDLING = Item(
    "handling", 10, (10, 5, 0), "無法即答時之處理", "Handling when they cannot answer at once"
)
CLOSING = Item("closing", 10, (10, 5, 0), "結束語與讓來電者先掛", "Closing; caller hangs up first")

DEFAULT_TEMPLATES: dict[str, tuple[str, str, tuple[Item, ...]]] = {
    BUSINESS: (
        "業務單位",
        "Business unit",
        (SPEED, UNIT_NAME, GREETING, SURNAME, TONE, ACCURACY, HANDLING, CLOSING),
    ),
    SWITCHBOARD: ("總機", "Switchboard", (SPEED, UNIT_NAME, GREETING, SURNAME)),
}

GRADE_BANDS: tuple[tuple[float, str], ...] = (
    (90, "優"),
    (80, "甲"),
    (70, "乙"),
    (60, "丙"),
    (0, "丁"),
)
GRADES = tuple(g for _, g in GRADE_BANDS)
GRADE_KEYS = {"優": "excellent", "甲": "a", "乙": "b", "丙": "c", "丁": "d"}
"""Each grade's key under `courtesy.grades` in the catalogues (zh-TW names it by itself)."""


def grade_for(total: float) -> str:
    """The grade band of a total on the 100-point scale."""
    for lower, grade in GRADE_BANDS:
        if total >= lower:
            return grade
    return GRADE_BANDS[-1][1]


def grade_label(grade: str, language: str) -> str:
    """The grade as a reader of `language` knows it (an unknown grade as it is)."""
    key = GRADE_KEYS.get(grade)
    return t(language, f"courtesy.grades.{key}") if key is not None else grade


def speed_points(*, rings: int | None, seconds: int | None, answered: bool = True) -> int:
    """Answer speed from what the inspector observed: ≤3 rings 25; 4 rings or ≤10 s 20; later
    10; not answered (nor picked up by a colleague) 0."""
    if not answered:
        return 0
    if rings is not None and rings <= 3:
        return 25
    if (rings is not None and rings == 4) or (seconds is not None and seconds <= 10):
        return 20
    if rings is None and seconds is None:
        raise UserError("courtesy.errors.speed_unknown")
    return 10


@dataclass(frozen=True)
class Rubric:
    """One version of a template, as plain values."""

    id: int
    template: str
    version: int
    name_zh: str
    name_en: str
    items: tuple[Item, ...]

    @property
    def possible(self) -> int:
        return sum(i.max_points for i in self.items)

    @property
    def scale(self) -> float:
        """Total points per rubric point (1.0 for a 100-point template)."""
        return 100 / self.possible

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise UserError(
            "courtesy.errors.unknown_item",
            item=code,
            items=", ".join(i.code for i in self.items),
        )

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh-TW" else self.name_en


@dataclass(frozen=True)
class Score:
    """The outcome of scoring one call against one rubric."""

    points: dict[str, int]
    total: float
    grade: str
    passed: bool
    critical_failed: bool
    lost: dict[str, float]
    """Points of the 100-point total lost per item (only items that lost any)."""


def score(rubric: Rubric, points: dict[str, int], *, pass_mark: int) -> Score:
    """Check every item's points against the rubric and compute total, grade and pass."""
    for code in points:
        rubric.item(code)
    missing = [i.code for i in rubric.items if i.code not in points]
    if missing:
        raise UserError("courtesy.errors.missing_items", items=", ".join(missing))
    for item in rubric.items:
        given = points[item.code]
        if given not in item.choices:
            raise UserError(
                "courtesy.errors.bad_points",
                item=item.code,
                points=given,
                allowed=", ".join(str(c) for c in item.choices),
            )
    earned = sum(points[i.code] for i in rubric.items)
    total = round(earned * rubric.scale, 1)
    critical = any(i.critical_zero and points[i.code] == 0 for i in rubric.items)
    lost = {
        i.code: round((i.max_points - points[i.code]) * rubric.scale, 1)
        for i in rubric.items
        if points[i.code] < i.max_points
    }
    return Score(
        points={i.code: points[i.code] for i in rubric.items},
        total=total,
        grade=grade_for(total),
        passed=total >= pass_mark and not critical,
        critical_failed=critical,
        lost=lost,
    )


def parse_items(data: Any) -> tuple[Item, ...]:
    """Validate a new version's items (a list of objects, as in the default templates)."""
    if not isinstance(data, list) or not data:
        raise UserError("courtesy.errors.rubric_shape")
    items: list[Item] = []
    try:
        for raw in data:
            item = Item.from_json(raw)
            if (
                item.max_points <= 0
                or item.max_points not in item.choices
                or min(item.choices) < 0
            ):
                raise UserError("courtesy.errors.rubric_item", item=item.code)
            items.append(item)
    except (KeyError, TypeError, ValueError):
        raise UserError("courtesy.errors.rubric_shape") from None
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise UserError("courtesy.errors.rubric_shape")
    return tuple(items)
