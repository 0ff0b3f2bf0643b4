"""The panel's scores: grade boundaries, each dimension's maximum, one-sentence refusals, a
year scored with history, publication refused while a unit is missing, then locked."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlmodel import Session

from bot.assessment import scoring
from bot.assessment.scoring import (
    DIMENSIONS,
    ScoreInput,
    follow_up,
    grade_for,
    import_scores,
    period_state,
    publish,
    record_score,
    total_of,
)
from kernel.errors import UserError
from storage.db import Database
from storage.queries.assessment import fetch_score_history
from storage.seeds import UNITS
from tests.bot.assessment.panel import FULL, H1, TODAY, YEAR, score


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (1000, "excellent"),
        (900, "excellent"),
        (899, "a"),
        (800, "a"),
        (799, "b"),
        (700, "b"),
        (699, "c"),
        (600, "c"),
        (599, "d"),
        (0, "d"),
    ],
)
def test_grade_boundaries(total: int, grade: str) -> None:
    assert grade_for(total) == grade


def test_the_maxima_are_those_of_the_plan() -> None:
    assert {d.key: d.maximum for d in DIMENSIONS} == {
        "basic": 200,
        "delivery": 300,
        "capacity": 200,
        "evaluation": 200,
        "innovation": 100,
    }


@pytest.mark.parametrize("dimension", [d for d in DIMENSIONS], ids=lambda d: d.key)
def test_a_dimension_one_above_its_maximum_is_refused(db: Database, dimension) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError) as raised:
        score(db, "sec1", **{dimension.key: str(dimension.maximum + 1)})
    assert raised.value.key == "assessment.out_of_range"
    assert raised.value.values["maximum"] == dimension.maximum
    score(db, "sec1", **{dimension.key: str(dimension.maximum)})  # the maximum itself is fine


@pytest.mark.parametrize(
    ("unit", "value", "key"),
    [
        ("sec1", "12.5", "assessment.not_integer"),
        ("sec1", "abc", "assessment.not_integer"),
        ("sec1", "-1", "assessment.out_of_range"),
        ("第九課", "100", "assessment.unknown_unit"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_written(
    db: Database, unit: str, value: str, key: str
) -> None:
    with pytest.raises(UserError) as raised:
        score(db, unit, basic=value)
    assert raised.value.key == key
    assert db.call(period_state, period=H1).scored == 0


def test_a_year_scored_published_and_locked(db: Database) -> None:
    codes = [code for code, _, _ in UNITS]
    assert len(codes) == 12
    for period in (H1, YEAR):
        for code in codes[:-1]:
            score(db, code, period)
    # A change before publishing keeps the first row as history.
    score(db, "第一課", H1, basic="150")
    unit_id = db.call(period_state, period=H1).units[0].id
    history = db.call(fetch_score_history, period=H1.code, unit_id=unit_id)
    assert [h.basic for h in history] == [180, 150]
    assert history[0].superseded_at is not None and history[1].superseded_at is None
    # Publishing is refused, naming the unit still unscored.
    with pytest.raises(UserError) as raised:
        db.call(publish, period=H1, by="test", language="zh-TW")
    assert raised.value.key == "assessment.unscored"
    assert raised.value.values["units"] == "秘書室" and raised.value.values["count"] == 1
    score(db, "secretariat", H1, innovation="100", note="創新提案獲選")
    db.call(follow_up, period=H1, unit_text="sec2", text="已請該課提出改善報告", by="test")
    state = db.call(publish, period=H1, by="test", language="zh-TW")
    assert state.published_on is not None and state.scored == 12
    # Locked: a change, an import and publishing again are refused; a follow-up is not.
    with pytest.raises(UserError) as raised:
        score(db, "sec1", H1, basic="199")
    assert raised.value.key == "assessment.locked"
    with pytest.raises(UserError):
        db.call(
            import_scores,
            period=H1,
            text="unit,basic,delivery,capacity,evaluation,innovation\n",
            today=TODAY,
            by="test",
        )
    with pytest.raises(UserError):
        db.call(publish, period=H1, by="test", language="zh-TW")
    db.call(follow_up, period=H1, unit_text="第一課", text="結果已公布於網站", by="test")
    history = db.call(fetch_score_history, period=H1.code, unit_id=unit_id)
    assert [h.basic for h in history] == [180, 150]
    # The whole year is still open and still misses a unit.
    assert db.call(period_state, period=YEAR).scored == 11
    with pytest.raises(UserError):
        db.call(publish, period=YEAR, by="test", language="en")


def test_an_import_is_all_rows_or_none(db: Database) -> None:
    header = "unit,basic,delivery,capacity,evaluation,innovation,assessed_on,note\n"
    good = "sec1,180,270,170,160,80,２０２７－０７,\n第二課,150,250,150,150,70,,複評\n"
    bad_row = "sec3,180,301,170,160,80,,\n"
    with pytest.raises(UserError) as raised:
        db.call(import_scores, period=H1, text=header + good + bad_row, today=TODAY, by="t")
    assert raised.value.key == "assessment.row_out_of_range" and raised.value.values["row"] == 4
    assert db.call(period_state, period=H1).scored == 0
    with pytest.raises(UserError) as raised:
        db.call(import_scores, period=H1, text="unit,basic\nsec1,1\n", today=TODAY, by="t")
    assert raised.value.key == "files.csv_missing_columns"
    with pytest.raises(UserError) as raised:  # an extra column, as every other import
        db.call(
            import_scores,
            period=H1,
            text=header + good + "sec3,1,1,1,1,1,,,x\n",
            today=TODAY,
            by="t",
        )
    assert (raised.value.key, raised.value.values["line"]) == ("files.csv_row_too_wide", 4)
    for month in ("0000-01", "9999-12", "2027-13"):
        with pytest.raises(UserError) as raised:  # 0000-01 was printed as 「-1911 年」
            db.call(
                import_scores,
                period=H1,
                text=header + f"sec1,1,1,1,1,1,{month},\n",
                today=TODAY,
                by="t",
            )
        assert raised.value.key == "assessment.row_bad_month"
    saved = db.call(import_scores, period=H1, text="\ufeff" + header + good, today=TODAY, by="t")
    assert len(saved) == 2
    state = db.call(period_state, period=H1)
    assert state.scored == 2
    assert sorted(s.assessed_on for s in state.scores.values()) == ["2027-07", "2027-07"]


LOW = {"basic": "10", "delivery": "10", "capacity": "10", "evaluation": "10", "innovation": "10"}


@pytest.mark.parametrize("writer", ["score", "import"])
def test_a_score_saved_while_the_period_is_published_never_changes_a_published_score(
    db: Database, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    # On PostgreSQL the "is it published?" check took no lock: a score checked before the
    # publication committed and saved after it changed the published 附表2 (第一課 750 → 50).
    # On SQLite BEGIN IMMEDIATE serialises the two; the test runs on both.
    for unit in UNITS:
        db.call(
            record_score,
            period=H1,
            given=ScoreInput(unit=unit[0], points=FULL),
            today=TODAY,
            by="panel",
        )
    checked = threading.Event()
    original = scoring.save_score

    def slow_save(session: Session, **kwargs: Any) -> Any:
        checked.set()  # past the check, not yet saved: publish now
        time.sleep(3)
        return original(session=session, **kwargs)

    monkeypatch.setattr(scoring, "save_score", slow_save)
    outcome: dict[str, Any] = {}

    def late_score() -> None:
        try:
            if writer == "score":
                given = ScoreInput(unit="sec1", points=LOW)
                db.call(record_score, period=H1, given=given, today=TODAY, by="late")
            else:
                row = "sec1," + ",".join(LOW[d.key] for d in DIMENSIONS)
                text = "unit,basic,delivery,capacity,evaluation,innovation\n" + row + "\n"
                db.call(import_scores, period=H1, text=text, today=TODAY, by="late")
            outcome["late"] = "saved"
        except UserError as exc:
            outcome["late"] = exc.key

    def publish_now() -> None:
        assert checked.wait(20)
        state = db.call(publish, period=H1, by="panel", language="en")
        outcome["published"] = {u: total_of(s) for u, s in state.scores.items()}

    threads = [threading.Thread(target=late_score), threading.Thread(target=publish_now)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert "published" in outcome and "late" in outcome, outcome
    now = db.call(period_state, period=H1)
    assert {u: total_of(s) for u, s in now.scores.items()} == outcome["published"]
    assert outcome["late"] in ("saved", "assessment.locked")
