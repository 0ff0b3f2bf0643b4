"""Files from the command line: UTF-8 with or without BOM, Big5 from Excel, clear refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kernel.errors import UserError
from kernel.i18n import t
from kernel.textfiles import BIG5, UTF8, read_text_file, writable_folder

ROW = "unit,name\n第一課,洪志如\n"


def test_utf8_with_and_without_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text(ROW, encoding="utf-8")
    bom.write_text(ROW, encoding="utf-8-sig")
    assert read_text_file(plain).text == read_text_file(bom).text == ROW
    assert read_text_file(bom).encoding == UTF8


def test_a_big5_file_from_excel_is_read_and_says_so(tmp_path: Path) -> None:
    big5 = tmp_path / "big5.csv"
    big5.write_bytes(ROW.encode("cp950"))
    found = read_text_file(big5)
    assert (found.text, found.encoding) == (ROW, BIG5)


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda p: None, "files.missing"),
        (lambda p: p.mkdir(), "files.not_a_file"),
        (lambda p: p.write_bytes(b"a,b\x00c\n"), "files.binary"),
        (lambda p: p.write_bytes(b"\xff\xfe\xfa\xfb\x80\x80"), "files.encoding"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_sentence(tmp_path: Path, make, key: str) -> None:
    path = tmp_path / "input.csv"
    make(path)
    with pytest.raises(UserError) as caught:
        read_text_file(path)
    assert caught.value.key == key
    for language in ("zh-TW", "en"):
        text = t(language, caught.value.key, **caught.value.values)
        assert str(path) in text and "\n" not in text


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(UserError) as caught:
        read_text_file(path, max_bytes=1024)
    assert caught.value.key == "files.too_large"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_one_sentence(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    with pytest.raises(UserError) as caught:
        writable_folder(locked / "out")
    assert caught.value.key == "files.unwritable"


def test_a_folder_below_a_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text("x")
    with pytest.raises(UserError) as caught:
        writable_folder(tmp_path / "report.txt" / "out")
    assert caught.value.key == "files.unwritable"
    assert writable_folder(tmp_path / "new" / "out").is_dir()
