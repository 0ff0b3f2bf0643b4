"""The monthly notices report (`bot/notices/report.py`): its page and its CSV files read one
declaration per table, so they show the same rows; a tax ID is written as on a certificate on
the page, and guarded from a spreadsheet's number reading only in the CSV."""

from __future__ import annotations

import csv
import random
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.notices import demo
from bot.notices.report import build_report, write_report
from storage.db import Database

TODAY = date(2026, 11, 26)
TZ = ZoneInfo("Asia/Taipei")
PRODUCED = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text("utf-8-sig").splitlines()))


def test_the_page_and_the_csv_files_show_the_same_rows(db: Database, tmp_path: Path) -> None:
    rng = random.Random(2026)
    with db.transaction() as session:
        demo.seed_demo(session=session, rng=rng, year=2026)
    with db.transaction() as session:
        demo.seed_registry_demo(session=session, rng=rng, today=TODAY, tz=TZ)
    with db.transaction() as session:
        report = build_report(session=session, year=2026, month=10, tz=TZ, today=TODAY)
    files = write_report(report, tmp_path, "zh-TW", produced=PRODUCED)
    assert [p.name for p in files] == [
        "notices-2026-10.html",
        "notices-2026-10-delivery.csv",
        "notices-2026-10-kinds.csv",
        "notices-2026-10-unreachable.csv",
    ]
    page = files[0].read_text("utf-8")
    assert report.unreachable and report.kinds

    delivery = _rows(files[1])
    assert delivery[1] == [
        "項目",
        "發布則數",
        "收件人次",
        "已送達",
        "已封鎖",
        "失敗",
        "遞送中",
        "狀態不明",
    ]
    for what, *counts in delivery[2:]:
        cells = "".join(f'<td class="n">{n}</td>' for n in counts)
        assert f'<tr><th scope="row" class="name">{what}</th>{cells}</tr>' in page

    unreachable = _rows(files[3])
    assert len(unreachable) == 2 + len(report.unreachable)
    for (tax_id, kind, number, product, expires), certificate in zip(
        unreachable[2:], report.unreachable, strict=True
    ):
        assert tax_id == f"#{certificate.tax_id}"  # a spreadsheet keeps its leading zeros
        assert re.fullmatch(r"\d{3}/\d{2}/\d{2}（.）", expires)  # with its weekday
        day = expires.split("（")[0]
        assert (
            f'<tr><th scope="row" class="name">{certificate.tax_id}</th><td>{kind}</td>'
            f'<td><span lang="en">{number}</span></td><td>{product}</td><td>{day}</td></tr>'
        ) in page
    assert "#" + report.unreachable[0].tax_id not in page
