"""Files people hand the command line: text in the encodings Taiwanese offices save, and
folders reports are written into. Every failure is a `UserError` with one sentence.

Excel on a zh-TW Windows saves "CSV" in Big5 (code page 950) unless told to use UTF-8, so a file
that is not UTF-8 (with or without a byte-order mark) is read as CP950, and the caller is told
which encoding was used so it can say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.errors import UserError

MAX_BYTES = 50 * 1024 * 1024
UTF8 = "UTF-8"
BIG5 = "Big5 (CP950)"


@dataclass(frozen=True)
class TextFile:
    text: str
    encoding: str
    """`UTF8` or `BIG5`: which one the bytes were read as."""


@dataclass(frozen=True)
class SentFile:
    """A file a person sent in chat to be imported: who, its name and its SHA-256, as the
    import's audit row names it."""

    telegram_id: int
    name: str
    sha256: str

    def audit_detail(self, **outcome: Any) -> str:
        """The audit row's detail: the file and what importing it did, as JSON."""
        found = {"file": self.name, "sha256": self.sha256, **outcome}
        return json.dumps(found, ensure_ascii=False, default=str)[:2000]

    def audit_row(self, action: str, **outcome: Any) -> dict[str, Any]:
        """The import's audit row (`record_audit`'s arguments): who, the file, what it did."""
        return {
            "actor_telegram_id": self.telegram_id,
            "action": action,
            "target": self.name[:128],
            "detail": self.audit_detail(**outcome),
        }


def decode_text(data: bytes, *, name: str) -> TextFile:
    """`data` as text: UTF-8 (a BOM dropped) or else Big5/CP950; NUL bytes are refused."""
    if b"\x00" in data:
        raise UserError("files.binary", path=name)
    try:
        return TextFile(data.decode("utf-8-sig"), UTF8)
    except UnicodeDecodeError:
        pass
    try:
        return TextFile(data.decode("cp950"), BIG5)
    except UnicodeDecodeError:
        raise UserError("files.encoding", path=name) from None


def read_text_file(path: Path, *, max_bytes: int = MAX_BYTES) -> TextFile:
    """The text of `path`, or one sentence on why it cannot be read."""
    if not path.exists():
        raise UserError("files.missing", path=str(path))
    if not path.is_file():
        raise UserError("files.not_a_file", path=str(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UserError("files.too_large", path=str(path), mb=max_bytes // (1024 * 1024))
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            "files.unreadable", path=str(path), reason=exc.strerror or str(exc)
        ) from None
    return decode_text(data, name=str(path))


def writable_folder(path: Path) -> Path:
    """`path` as a folder that exists and can be written into, made if missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".bsmi-desk-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UserError(
            "files.unwritable", path=str(path), reason=exc.strerror or str(exc)
        ) from None
    return path
