"""Every CSV the command line reads answers a malformed file with one sentence naming the line
and exit code 2: a stray quote, a column named twice, a row wider than its header, blank lines
before the header (read past)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import app

HEADERS = {
    "registry": "tax_id,kind,number,product,expires_on",
    "tax-ids": "tax_id",
    "case": "channel,kind,received_on,subject,description",
    "assessment": "unit,basic,delivery,capacity,evaluation,innovation",
    "staff": "unit,name,extension,inspector",
    "results": "test_id,inspector,rings",
}


def command(kind: str, path: Path, tmp_path: Path) -> list[str]:
    body = tmp_path / "body.txt"
    body.write_text("內容", encoding="utf-8")
    return {
        "registry": ["registry", "import", str(path)],
        "tax-ids": [
            "notice",
            "send",
            "--tax-ids",
            str(path),
            "--title",
            "T",
            "--body-file",
            str(body),
        ],
        "case": ["case", "import", str(path)],
        "assessment": ["assessment", "import", str(path), "--period", "2026-H1"],
        "staff": ["courtesy", "staff", "import", str(path)],
        "results": ["courtesy", "import", str(path)],
    }[kind]


def malformed(kind: str, slip: str) -> str:
    header = HEADERS[kind]
    width = header.count(",") + 1
    row = ",".join(["x"] * width)
    if slip == "stray quote":
        return f'{header}\n{row}\n"{row}\n' + "y" * 200_000 + "\n"
    if slip == "column twice":
        first = header.split(",")[0]
        return f"{header},{first}\n{row},x\n"
    if slip == "row too wide":
        return f"{header}\n{row}\n{row},extra\n"
    assert slip == "blank lines, then a stray quote"
    return f'\n\n{header}\n"{row}\n' + "y" * 200_000 + "\n"


@pytest.mark.parametrize("kind", sorted(HEADERS))
@pytest.mark.parametrize(
    ("slip", "said"),
    [
        ("stray quote", "Line 3 starts a quote"),
        ("column twice", "Line 1 (the header) names the column"),
        ("row too wide", "Line 3 has"),
        ("blank lines, then a stray quote", "Line 4 starts a quote"),
    ],
)
def test_a_malformed_file_is_one_sentence_naming_its_line(
    cli: CliRunner, tmp_path: Path, kind: str, slip: str, said: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_text(malformed(kind, slip), encoding="utf-8")
    result = cli.invoke(app, command(kind, path, tmp_path))
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert said in result.stderr
