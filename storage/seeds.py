"""Seed data written by the migrations: the branch's units and the notice categories (the
first), the plan's recurring duties (`0017_duties`)."""

from __future__ import annotations

UNITS: list[tuple[str, str, str]] = [
    ("sec1", "第一課", "First Section"),
    ("sec2", "第二課", "Second Section"),
    ("sec3", "第三課", "Third Section"),
    ("sec4", "第四課", "Fourth Section"),
    ("sec5", "第五課", "Fifth Section"),
    ("sec6", "第六課", "Sixth Section"),
    ("taoyuan", "桃園辦事處", "Taoyuan Office"),
    ("airport", "機場辦事處", "Airport Office"),
    ("personnel", "人事室", "Personnel Office"),
    ("accounting", "主計室", "Accounting Office"),
    ("ethics", "政風室", "Civil Service Ethics Office"),
    ("secretariat", "秘書室", "Secretariat"),
]

CATEGORIES: list[tuple[str, str, str]] = [
    ("cns", "正字標記", "CNS Mark"),
    ("rpc", "驗證登錄", "Registration of Product Certification"),
    ("type", "型式認可", "Type Approval"),
    ("batch", "逐批檢驗／報驗", "Batch Inspection"),
    ("regulated", "應施檢驗商品公告", "Regulated Product List Changes"),
    ("metrology", "度量衡器檢定", "Metrology"),
    ("origin", "產地證明", "Certificates of Origin"),
    ("market", "市場監督與商品安全", "Market Surveillance and Recalls"),
    ("events", "說明會與教育訓練", "Briefings and Training"),
]

DUTIES: list[tuple[str, str, str, str, int | None, int | None, str | None, bool]] = [
    # (title zh-TW, title en, owner unit, every, day, month, fixed dates MM-DD,MM-DD, facility)
    ("5S 環境整理", "5S housekeeping", "secretariat", "dates", None, None, "05-31,11-30", True),
    (
        "無障礙設施查核",
        "Accessibility facilities check",
        "secretariat",
        "half-yearly",
        30,
        6,
        None,
        True,
    ),
    (
        "AED 及飲水機檢查",
        "AED and water dispenser check",
        "secretariat",
        "monthly",
        31,
        None,
        None,
        True,
    ),
    ("網站資料有效性檢視", "Website data review", "secretariat", "quarterly", 31, 3, None, True),
    (
        "次年度服務效能執行計畫研訂",
        "Next year's service performance plan drafted",
        "secretariat",
        "yearly",
        31,
        12,
        None,
        False,
    ),
    (
        "執行計畫報局核備",
        "Plan filed with the bureau",
        "secretariat",
        "yearly",
        31,
        1,
        None,
        False,
    ),
]
"""The plan's dated duties (一(二)1 服務設施, 一(二)2(6) 網站, 二 the plan's own cycle);
editable."""
