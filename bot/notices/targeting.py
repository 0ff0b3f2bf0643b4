"""Notices targeted at firms by 統一編號: reading a list (one number a line, or a CSV with a
`tax_id` column), refusing it whole with the line of each invalid number before anything is
sent, and which listed numbers no chat holds (unreached), so staff can reach them otherwise.

The recipients of a targeted notice are the chats of its categories' subscribers and the chats
holding one of its numbers, each chat once (`storage.queries.notices.release_notice`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.notices.firms import tax_id_is_valid, tax_id_text
from kernel.csvread import read_csv_table
from kernel.errors import Problem, UserError
from kernel.textfiles import decode_text
from storage.queries.registry import firm_chats as firm_chats_q
from storage.queries.registry import notice_targets as notice_targets_q

LIST_LIMIT = 10_000
"""Numbers a list may hold: more firms than the branch registers."""


class BadList(UserError):
    """A list with invalid numbers: nothing was sent. `problems` names each by its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("targeting.bad_numbers", count=len(problems), first=problems[0].line)
        self.problems = problems


LIST_COLUMNS = ("tax_id",)
LIST_OPTIONAL = ("name", "note")
"""A CSV list's columns besides `tax_id`: the firm's name and a note, read past."""


def read_tax_ids(text: str) -> list[str]:
    """The numbers of a list (one a line, or a CSV whose header names `tax_id`), in order, each
    once; BadList naming every invalid line, UserError for a file `kernel.csvread` refuses."""
    lines = text.lstrip("\ufeff").splitlines()
    first = next((line for line in lines if line.strip()), "")
    found: list[tuple[int, str]] = []
    if "tax_id" in first.lower():
        table = read_csv_table(text, required=LIST_COLUMNS, optional=LIST_OPTIONAL)
        found = [(line, row["tax_id"]) for line, row in table.rows]
    else:
        found = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    problems: list[Problem] = []
    numbers: dict[str, None] = {}
    for line, raw in found:
        value = tax_id_text(raw)
        if not tax_id_is_valid(value) or value == "00000000":
            problems.append(Problem(line, "targeting.bad_number", {"value": raw.strip()}))
        else:
            numbers[value] = None
    if problems:
        raise BadList(problems)
    if not numbers:
        raise UserError("targeting.empty")
    if len(numbers) > LIST_LIMIT:
        raise UserError("targeting.too_many", limit=LIST_LIMIT)
    return list(numbers)


@dataclass(frozen=True)
class Reach:
    """How far a list reaches: numbers, those a chat holds, the chats, the numbers none does."""

    count: int
    linked: int
    chats: int
    unreached: list[str]


def reach(session: Session, *, tax_ids: Sequence[str]) -> Reach:
    """Which of `tax_ids` some chat holds now, and how many chats hold them."""
    linked = firm_chats_q.fetch_linked_tax_ids(session=session, tax_ids=tax_ids)
    return Reach(
        count=len(tax_ids),
        linked=len(linked),
        chats=firm_chats_q.count_tax_id_chats(session=session, tax_ids=tax_ids),
        unreached=[t for t in tax_ids if t not in linked],
    )


def notice_unreached(session: Session, *, notice_id: int, released: bool) -> list[str]:
    """The numbers a notice was targeted at that it did not reach: once released, those no
    chat of which has an outbox row of it; before, those no chat holds now."""
    tax_ids = notice_targets_q.fetch_notice_tax_ids(session=session, notice_id=notice_id)
    if not tax_ids:
        return []
    if released:
        reached = notice_targets_q.fetch_reached_tax_ids(session=session, notice_id=notice_id)
    else:
        reached = firm_chats_q.fetch_linked_tax_ids(session=session, tax_ids=tax_ids)
    return [t for t in tax_ids if t not in reached]


LIST_BYTES = 1024 * 1024
"""An uploaded list's size limit: 10,000 numbers in a CSV fit well within it."""


@dataclass(frozen=True)
class Listed:
    """An uploaded list read and checked: its numbers and how far they reach."""

    tax_ids: list[str]
    reach: Reach


def read_list_upload(session: Session, *, data: bytes, name: str) -> Listed:
    """The numbers of an uploaded list (UTF-8 or Big5) and how far they reach; BadList naming
    every invalid line, UserError if the file is not a text list."""
    if len(data) > LIST_BYTES:
        raise UserError("files.too_large", path=name, mb=LIST_BYTES // (1024 * 1024))
    numbers = read_tax_ids(decode_text(data, name=name).text)
    return Listed(numbers, reach(session=session, tax_ids=numbers))
