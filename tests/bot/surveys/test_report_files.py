"""A survey report written out (`bot/surveys/report_files.py`): the HTML page rendered by Jinja2
with the chart inline as SVG and its figures also in tables, in either language; one CSV per
table with a caption line, headers in the report's language, percentages as numbers under
"(%)", means with two decimals and Wilson intervals, comments that look like formulas
neutralised; the chart as a PNG labelled with the bundled Chinese font; the files in order."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from matplotlib import font_manager
from matplotlib import image as mpimg

from bot.surveys import report_files
from bot.surveys.report_files import csv_tables, render_html, write_png, write_report
from bot.surveys.reports import Report, Row, TrendRow, lowest_first
from bot.surveys.statistics import figures_of
from kernel import charts
from kernel.reporting import TAIPEI
from tests.bot.surveys.pages import Page, parsed
from tests.reports.spreadsheet import read_rows, risky_cells

ENDS = (".html", "-items.csv", "-groups.csv", "-comments.csv", "-trend.csv", ".png")
PRODUCED = datetime(2026, 12, 1, 9, 30, tzinfo=TAIPEI)
FORMULAS = ('=HYPERLINK("http://x","y")', "+886 電話常常打不通", "-", "@SUM(1+1)")
QUESTIONS = {  # zh-TW, en: answers per score, the previous survey's mean
    ("洽公環境", "Environment"): ({2: 1, 3: 1, 4: 2}, 3.0),  # 3.25, 2 of 4 satisfied
    ("服務態度", "Etiquette"): ({4: 1, 5: 2}, 4.5),  # 4.67, 3 of 3
    ("整體滿意度", "Overall"): ({1: 1, 5: 1}, None),  # 3.00, 1 of 2
}


def _row(names: tuple[str, str], language: str, counts: dict[int, int], **more: Any) -> Row:
    zh, en = names
    return Row(zh if language == "zh-TW" else en, en, figures_of(counts), **more)


def survey(language: str) -> Report:
    """A periodic survey: three questions, comments (some shaped like formulas), a trend."""
    items = [_row(n, language, c, previous=p) for n, (c, p) in QUESTIONS.items()]
    question = "其他建議" if language == "zh-TW" else "Other suggestions"
    return Report(
        name="survey-9",
        language=language,
        roc=language == "zh-TW",
        title="第 9 號滿意度調查報告" if language == "zh-TW" else "Satisfaction survey no. 9",
        period="115/11/16 – 115/12/07" if language == "zh-TW" else "2026-11-16 – 2026-12-07",
        invited=12,
        responded=4,
        finished=3,
        items=lowest_first(items),
        comments=[(question, text) for text in (*FORMULAS, "等候區座位可以再多一些。")],
        trend=[
            TrendRow("115 上半年", 10, 4, figures_of({3: 2, 4: 2})),
            TrendRow("115 下半年", 12, 4, figures_of({1: 1, 5: 1})),
        ],
        subject="115 年下半年服務滿意度調查",
    )


def cases(language: str) -> Report:
    """The case follow-ups of a half-year: one question, grouped by kind, unit and timeliness."""
    units = [
        _row(("第一課", "First Section"), language, {5: 3}, asked=4),
        _row(("第二課", "Second Section"), language, {1: 1, 4: 1}, asked=5, previous=3.5),
    ]
    zh = language == "zh-TW"
    return replace(
        survey(language),
        name="case-survey-2026-H2",
        title="案件處理滿意度" if zh else "Satisfaction with case handling",
        period="115/07/01 – 115/12/31" if zh else "2026-07-01 – 2026-12-31",
        invited=9,
        responded=5,
        finished=None,
        items=[_row(("對案件處理的滿意度", "Case"), language, {1: 1, 4: 1, 5: 3}, asked=9)],
        groups=[
            ("by_kind", [_row(("一般民眾檢舉", "Public"), language, {1: 1, 4: 1, 5: 3}, asked=9)]),
            ("by_unit", lowest_first(units)),
            ("by_time", []),
        ],
        comments=[],
        trend=[],
        subject=None,
    )


ITEMS_HEADER = {
    "zh-TW": [
        "題目",
        "回收數",
        "平均分數",
        *(f"{s} 分人數" for s in range(1, 6)),
        "滿意（4–5 分）",
        "95% 信賴區間",
        "前次平均",
        "變化",
    ],
    "en": [
        "Question",
        "Responses",
        "Mean",
        *(f"Answers {s}" for s in range(1, 6)),
        "Satisfied (4–5)",
        "95% interval",
        "Previous mean",
        "Change",
    ],
}


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_the_page_holds_the_chart_as_svg_and_its_figures_in_a_table(
    language: str, charts_ready: None
) -> None:
    report = survey(language)
    page = Page(render_html(report, produced=PRODUCED))
    assert page.lang == language and page.images == 0
    [(svg, texts)] = page.svgs
    assert svg["role"] == "img" and svg["aria-label"] == report.tr("chart")
    assert report.tr("chart") in texts and report.tr("axis_satisfied") in texts
    header, rows = page.table(report.tr("items"))
    assert header == ITEMS_HEADER[language]
    overall, environment, etiquette = (r.label for r in report.items)
    assert [r[0] for r in rows] == [overall, environment, etiquette]  # lowest mean first
    # each bar of the chart, its name and its share, is a row of the table
    for row in rows:
        share = row[8].removesuffix("%")
        assert row[0] in texts and f"{float(share):.0f}%" in texts
    assert rows[1][1:] == [
        *("4", "3.25", "0", "1", "1", "2", "0"),
        *("50.0%", "15.0–85.0%", "3.00", "+0.25"),
    ]
    assert rows[0][2] == "3.00" and rows[0][-2:] == ["—", "—"]  # no previous survey
    assert rows[2][2] == "4.67" and rows[2][8:10] == ["100.0%", "43.9–100.0%"]
    assert rows[2][-1] == "+0.17"
    comments = page.table(report.tr("comments"))[1]
    assert [c[1] for c in comments][:4] == list(FORMULAS)  # a page shows them as they are
    trend = page.table(report.tr("trend"))[1]
    assert [r[0] for r in trend] == ["115 上半年", "115 下半年"]
    assert trend[1][1:] == ["12", "4", "3.00", "50.0"]


def test_a_case_report_page_has_a_table_per_grouping_and_says_when_one_is_empty(
    charts_ready: None,
) -> None:
    report = cases("en")
    page = Page(render_html(report, produced=PRODUCED))
    [(_, texts)] = page.svgs
    header, units = page.table("By unit, lowest mean first")
    assert header[:4] == ["Group", "Asked", "Response rate", "Responses"]
    assert [u[:5] for u in units] == [
        ["Second Section", "5", "40.0%", "2", "2.50"],
        ["First Section", "4", "75.0%", "3", "5.00"],
    ]
    assert {"Second Section", "First Section", "Public"} <= set(texts)  # the groups are drawn
    assert page.table("On time or late, lowest mean first")[1] == [["None."]]
    assert "No comments." in render_html(report, produced=PRODUCED)
    zh = Page(render_html(cases("zh-TW"), produced=PRODUCED))
    assert zh.lang == "zh-TW"
    assert [u[0] for u in zh.table("依承辦單位（平均分數由低至高）")[1]] == ["第二課", "第一課"]


def test_the_csv_tables_are_one_per_file_in_the_reports_language_with_numbers(
    charts_ready: None,
) -> None:
    report = survey("zh-TW")
    tables = {t.suffix: t for t in csv_tables(report)}
    assert list(tables) == ["items", "comments", "trend"]
    items = tables["items"]
    assert items.name == "各題結果（平均分數由低至高）"
    assert items.header == [
        "題目",
        "回收數",
        "平均分數",
        *(f"{s} 分人數" for s in range(1, 6)),
        "滿意比例（%）",
        "95% 信賴區間下限（%）",
        "95% 信賴區間上限（%）",
        "前次平均",
        "變化",
    ]
    overall, environment, etiquette = items.rows
    assert environment == [
        "洽公環境",
        4,
        Decimal("3.25"),
        0,
        1,
        1,
        2,
        0,
        50.0,
        15.0,
        85.0,
        Decimal("3.00"),
        Decimal("0.25"),
    ]
    assert overall[8:] == [50.0, 9.5, 90.5, None, None]  # 1 of 2, no previous survey
    assert etiquette[2] == Decimal("4.67") and etiquette[8:11] == [100.0, 43.9, 100.0]
    assert tables["trend"].header == ["調查", "邀請數", "回收數", "平均分數", "滿意比例（%）"]
    assert tables["trend"].rows[0][1:] == [10, 4, Decimal("3.50"), 50.0]
    assert tables["comments"].header == ["題目", "意見內容"]
    english = {t.suffix: t for t in csv_tables(survey("en"))}
    assert english["items"].header[:3] == ["Question", "Responses", "Mean"]
    assert english["items"].header[8:11] == [
        "Satisfied (%)",
        "95% interval from (%)",
        "95% interval to (%)",
    ]


def test_a_case_reports_groups_go_in_one_csv_each_row_saying_its_grouping() -> None:
    report = cases("en")
    tables = {t.suffix: t for t in csv_tables(report)}
    assert list(tables) == ["items", "groups", "comments", "trend"]
    groups = tables["groups"]
    assert groups.name == "Case follow-ups by group"
    assert groups.header[:5] == ["Grouped by", "Group", "Asked", "Response rate (%)", "Responses"]
    assert [r[:6] for r in groups.rows] == [
        ["By kind of case, lowest mean first", "Public", 9, 55.6, 5, Decimal("4.00")],
        ["By unit, lowest mean first", "Second Section", 5, 40.0, 2, Decimal("2.50")],
        ["By unit, lowest mean first", "First Section", 4, 75.0, 3, Decimal("5.00")],
    ]
    assert len({len(r) for r in groups.rows}) == 1 and len(groups.rows[0]) == len(groups.header)
    zh = next(t for t in csv_tables(cases("zh-TW")) if t.suffix == "groups")
    assert zh.name == "案件滿意度分組"
    assert zh.header[:5] == ["分組方式", "組別", "詢問數", "回收率（%）", "回收數"]
    assert [r[:2] for r in zh.rows][1:] == [
        ["依承辦單位（平均分數由低至高）", "第二課"],
        ["依承辦單位（平均分數由低至高）", "第一課"],
    ]


def test_write_report_writes_the_page_each_csv_and_the_png_in_that_order(
    tmp_path: Path, charts_ready: None
) -> None:
    report = survey("zh-TW")
    files = write_report(report, tmp_path / "out", produced=PRODUCED)
    assert [f.name for f in files] == [f"survey-9{end}" for end in ENDS if end != "-groups.csv"]
    assert sorted(files) == sorted((tmp_path / "out").iterdir())
    assert files[0].read_text("utf-8") == render_html(report, produced=PRODUCED)
    assert parsed(files[0]).lang == "zh-TW"
    assert files[-1].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for path, table in zip(files[1:-1], csv_tables(report), strict=True):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        caption, header, *rows = read_rows(path)
        assert len(caption) == 1 and report.title in caption[0] and table.name in caption[0]
        assert report.period in caption[0] and "115/12/01" in caption[0]
        assert header == table.header and len(rows) == len(table.rows)
        assert risky_cells(rows) == [], path.name
    items = read_rows(files[1])[2:]
    assert [r[2] for r in items] == ["3.00", "3.25", "4.67"]
    assert items[1][8:11] == ["50.0", "15.0", "85.0"] and items[1][-1] == "0.25"
    comments = [r[1] for r in read_rows(files[2])[2:]]
    assert comments[:4] == ["'" + text for text in FORMULAS]
    assert comments[4] == "等候區座位可以再多一些。"
    cases_files = write_report(cases("zh-TW"), tmp_path / "cases", produced=PRODUCED)
    assert [f.name.removeprefix("case-survey-2026-H2") for f in cases_files] == list(ENDS)


CHINESE = "洽公環境服務態度整體滿意度比例信賴區間"


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_the_png_is_the_chart_with_its_labels_in_the_bundled_font(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, charts_ready: None
) -> None:
    plt = charts.pyplot()
    drawn: list[Any] = []
    close = plt.close

    def keep(figure: Any) -> None:  # the figure as it was saved, before it goes
        drawn.append([t for t in figure.findobj(plt.Text) if t.get_text().strip()])
        close(figure)

    monkeypatch.setattr(plt, "close", keep)
    report = survey(language)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_png(report, tmp_path / "chart.png")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert path == tmp_path / "chart.png"
    height, width, _ = mpimg.imread(path).shape
    assert (width, height) == (800, round(100 * (1.4 + 0.4 * 3)))
    [texts] = drawn
    labels = {t.get_text() for t in texts}
    assert {r.label for r in report.items} | {report.tr("chart")} <= labels
    assert {"50%", "100%"} <= labels
    for text in texts:
        first = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())[0]
        assert Path(first) == charts.FONT_FILE, text.get_text()
    assert any(c in CHINESE for t in labels for c in t) == (language == "zh-TW")


def test_a_chart_without_answers_says_so_instead_of_bars(charts_ready: None) -> None:
    report = survey("en")
    report.items = [_row(("洽公環境", "Environment"), "en", {})]
    page = Page(render_html(report, produced=PRODUCED))
    [(_, texts)] = page.svgs
    assert "No answers yet." in texts and "Environment" not in texts
    assert report_files.ITEMS.csv_rows(report.items, "en", roc=False)[0][1:4] == [0, None, 0]
