"""The half-year and year complaint analysis written out (`bot/cases/period_report.py`): the
page says which targets it uses (the year's, else the plan's) with ROC years in Chinese and
percentages as figures under a "(%)" header, and the files are named for the period."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

from bot.assessment.targets import set_targets
from bot.cases.demo import seed_demo
from bot.cases.period_report import write_report
from bot.cases.periods import build_period_analysis
from kernel.periods import Period
from storage.db import Database

TODAY = date(2026, 11, 26)


def test_a_year_without_targets_says_it_uses_the_plans_and_set_targets_are_used(
    db: Database, tmp_path: Path
) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    analysis = db.call(
        build_period_analysis, period=Period(2025, half=1), today=TODAY, language="zh-TW"
    )
    page = write_report(analysis, tmp_path, "zh-TW")[0].read_text("utf-8")
    assert "未設定" in page and "350" in page
    assert "114 年未設定" in page and "2025 年" not in page  # ROC, like the report's dates
    targets = page.split("年度目標達成情形")[-1].split("</table>")[0]
    assert re.search(r'<td class="n">\d+\.\d</td>', targets)  # 達成率（%）: the figure
    assert not re.search(r"\d%</td>", targets)  # and never a % sign under the "(%)" header
    db.call(set_targets, year=2025, figures={"public": 400, "monitor": 200}, by="test")
    analysis = db.call(
        build_period_analysis, period=Period(2025, half=1), today=TODAY, language="en"
    )
    assert [(t.target, t.expected) for t in analysis.targets] == [(400, 200), (200, 100)]
    files = write_report(analysis, tmp_path / "en", "en")
    page = files[0].read_text("utf-8")
    assert "No courtesy calls target is set for 2025" in page
    assert "public reports and complaints target" not in page
    assert [p.name for p in files] == [
        "complaints-2025-H1.html",
        *(
            f"complaints-2025-H1-{t}.csv"
            for t in ("months", "counts", "units", "targets", "overdue", "training")
        ),
        "complaints-2025-H1.png",
    ]
