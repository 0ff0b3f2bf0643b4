"""The register of certificates and registrations: the CSV import (every row or none), a
firm's certificates with their reminders, certificates nobody can be told about, and the
renewal text of a category.

An import is checked whole first (`check_register`: every bad row listed by its line, 第 n 列,
and what the file adds, changes, withdraws and plans, for a preview), then written in one
transaction (`apply_register`; `import_register` does both in one transaction): rows are
upserted by (kind, number); a row whose expiry changed has its planned reminders cancelled and
new ones planned; with `replace`, a certificate missing from the file is withdrawn (its planned
reminders cancelled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.notices.expiry import Plan, plan
from bot.notices.firms import tax_id_is_valid, tax_id_text
from bot.notices.publishing import one_line
from kernel.csvread import read_csv_table
from kernel.dates import parse_day
from kernel.errors import BadRows, Problem, UserError
from kernel.reporting import format_day
from kernel.textfiles import SentFile
from storage.models.registry import ReminderState
from storage.queries import notices as notices_q
from storage.queries.audit import record_audit
from storage.queries.registry import certificates as certificates_q
from storage.queries.registry import expiry_reminders as expiry_reminders_q
from storage.queries.registry import renewals as renewals_q

COLUMNS = ("tax_id", "kind", "number", "product", "expires_on")
OPTIONAL = ("holder",)
NUMBER_LIMIT = 64
PRODUCT_LIMIT = 200
RENEWAL_LIMIT = 1000
SHOWN_PROBLEMS = 50
"""Bad rows named one by one; past these, only their count."""


def _clean(raw: str) -> str:
    """`one_line(raw)`, skipped for the usual field that has nothing to clean (no control,
    invisible or non-space white character, no doubled or outer space): a 100,000-row import
    reads half a million fields."""
    if raw.isprintable() and "  " not in raw and raw.strip() == raw:
        return raw
    return one_line(raw)


def parse_expiry(raw: str) -> date | None:
    """YYYY-MM-DD, or an ROC date such as 115/03/31, in a sane year; None if neither
    (`kernel.dates.parse_day`)."""
    return parse_day(raw)


@dataclass(frozen=True)
class Row:
    line: int
    tax_id: str
    category_id: int
    number: str
    product: str
    holder: str | None
    expires_on: date


def read_rows(text: str, categories: dict[str, int]) -> list[Row]:
    """Every row checked; BadRows listing each bad one, or UserError for the file itself."""
    table = read_csv_table(
        text, required=COLUMNS, optional=OPTIONAL, name=lambda h: one_line(h).lower()
    )
    rows: list[Row] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str], int] = {}
    for line, fields in table.rows:
        value = {name: _clean(raw) for name, raw in fields.items()}
        found = _check(line, value, categories)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        key = (found.category_id, found.number)
        if key in seen:
            problems.append(
                Problem(line, "registry.duplicate", {"number": found.number, "other": seen[key]})
            )
            continue
        seen[key] = line
        rows.append(found)
    if problems:
        raise BadRows("registry.bad_rows", problems)
    if not rows:
        raise UserError("registry.empty")
    return rows


def _check(line: int, value: dict[str, str], categories: dict[str, int]) -> Row | Problem:
    tax_id = tax_id_text(value["tax_id"])
    if not tax_id_is_valid(tax_id) or tax_id == "00000000":
        return Problem(line, "registry.bad_tax_id", {"value": value["tax_id"]})
    category_id = categories.get(value["kind"].lower())
    if category_id is None:
        return Problem(line, "registry.bad_kind", {"value": value["kind"]})
    number = value["number"]
    if not number or len(number) > NUMBER_LIMIT:
        return Problem(line, "registry.bad_number", {"limit": NUMBER_LIMIT})
    product = value["product"]
    if not product or len(product) > PRODUCT_LIMIT:
        return Problem(line, "registry.bad_product", {"limit": PRODUCT_LIMIT})
    expires_on = parse_expiry(value["expires_on"])
    if expires_on is None:
        return Problem(line, "registry.bad_date", {"value": value["expires_on"]})
    holder = value.get("holder", "")[:PRODUCT_LIMIT] or None
    return Row(line, tax_id, category_id, number, product, holder, expires_on)


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int
    unchanged: int
    withdrawn: int
    planned: int
    cancelled: int


@dataclass(frozen=True)
class RegisterCheck:
    """A register file checked whole against the register as it stands: what importing it
    changes (nothing is written to make it)."""

    read: int
    new_rows: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    replan: list[tuple[int, date]]
    """Certificates whose reminders are planned again: (id, new expiry)."""
    unchanged: int
    withdrawn_ids: list[int]
    planned: int
    """Reminders importing the file plans (new certificates' and replanned ones')."""


def check_register(
    session: Session,
    *,
    text: str,
    replace: bool,
    days: Sequence[int],
    tz: ZoneInfo,
    now: datetime,
) -> RegisterCheck:
    """Check the whole file (BadRows listing every bad row) and work out what importing it
    adds, changes, withdraws and plans; reads only."""
    categories = {
        c.code.lower(): c.id
        for c in notices_q.fetch_categories(session=session, include_retired=False)
        if c.id is not None
    }
    rows = read_rows(text, categories)
    existing = certificates_q.fetch_certificate_keys(session=session)
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    replan: list[tuple[int, date]] = []
    unchanged = 0
    for row in rows:
        found = existing.get((row.category_id, row.number))
        if found is None:
            new_rows.append(
                {
                    "tax_id": row.tax_id,
                    "category_id": row.category_id,
                    "number": row.number,
                    "product": row.product,
                    "holder": row.holder,
                    "expires_on": row.expires_on,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        same = (found.tax_id, found.product, found.holder, found.expires_on) == (
            row.tax_id,
            row.product,
            row.holder,
            row.expires_on,
        )
        if same and not found.withdrawn:
            unchanged += 1
            continue
        changed.append(
            {
                "row_id": found.id,
                "new_tax_id": row.tax_id,
                "new_product": row.product,
                "new_holder": row.holder,
                "new_expires_on": row.expires_on,
                "new_updated_at": now,
            }
        )
        if found.expires_on != row.expires_on or found.withdrawn:
            replan.append((found.id, row.expires_on))
    withdrawn_ids: list[int] = []
    if replace:
        in_file = {(r.category_id, r.number) for r in rows}
        withdrawn_ids = [
            c.id for key, c in existing.items() if key not in in_file and not c.withdrawn
        ]
    today = now.astimezone(tz).date()
    fresh = [(None, r["expires_on"]) for r in new_rows]
    inserts, again = _reminder_rows(session, [*fresh, *replan], days, tz, today)
    return RegisterCheck(
        read=len(rows),
        new_rows=new_rows,
        changed=changed,
        replan=replan,
        unchanged=unchanged,
        withdrawn_ids=withdrawn_ids,
        planned=len(inserts) + len(again),
    )


def apply_register(
    session: Session, *, checked: RegisterCheck, days: Sequence[int], tz: ZoneInfo, now: datetime
) -> Imported:
    """Write what `check_register` found, in the same transaction: upsert, withdraw, cancel
    and plan reminders."""
    new_rows, replan = checked.new_rows, checked.replan
    certificates_q.insert_certificates(session=session, rows=new_rows)
    certificates_q.update_certificates(session=session, rows=checked.changed)
    cancelled = expiry_reminders_q.cancel_planned_reminders(
        session=session, certificate_ids=[c for c, _ in replan], now=now
    )
    if checked.withdrawn_ids:
        certificates_q.withdraw_certificates(session=session, ids=checked.withdrawn_ids, now=now)
        cancelled += expiry_reminders_q.cancel_planned_reminders(
            session=session, certificate_ids=checked.withdrawn_ids, now=now
        )
    ids = certificates_q.fetch_certificate_ids(
        session=session, keys=[(r["category_id"], r["number"]) for r in new_rows]
    )
    to_plan: list[tuple[int | None, date]] = [
        (ids[(r["category_id"], r["number"])], r["expires_on"]) for r in new_rows
    ]
    today = now.astimezone(tz).date()
    inserts, again = _reminder_rows(session, [*to_plan, *replan], days, tz, today)
    expiry_reminders_q.insert_reminders(session=session, rows=inserts)
    expiry_reminders_q.replan_reminders(session=session, rows=again)
    return Imported(
        len(new_rows),
        len(checked.changed),
        checked.unchanged,
        len(checked.withdrawn_ids),
        len(inserts) + len(again),
        cancelled,
    )


def import_register(
    session: Session,
    *,
    text: str,
    replace: bool,
    days: Sequence[int],
    tz: ZoneInfo,
    now: datetime,
    sent: SentFile | None = None,
) -> Imported:
    """Check the whole file, then upsert it and plan reminders, in the caller's transaction;
    a file sent in chat is audited with it."""
    checked = check_register(session, text=text, replace=replace, days=days, tz=tz, now=now)
    done = apply_register(session, checked=checked, days=days, tz=tz, now=now)
    if sent is not None:
        record_audit(
            session=session,
            **sent.audit_row("chat.registry_import", replace=replace, **asdict(done)),
        )
    return done


def _reminder_rows(
    session: Session,
    certificates: Sequence[tuple[int | None, date]],
    days: Sequence[int],
    tz: ZoneInfo,
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The reminders to insert and to plan again for certificates in force (expiring today or
    later); a reminder planned before for the same expiry is planned again only if it was
    cancelled. A certificate without an id (not yet written) has none planned before."""
    current = [(c, e) for c, e in certificates if e >= today]
    replanned = [c for c, _ in current if c is not None]
    known = (
        expiry_reminders_q.fetch_reminder_keys(session=session, certificate_ids=replanned)
        if replanned
        else {}
    )
    cache: dict[date, date] = {}
    plans: dict[date, list[Plan]] = {}
    inserts: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    for certificate_id, expires_on in current:
        if expires_on not in plans:
            plans[expires_on] = plan(expires_on, days, tz, cache)
        for item in plans[expires_on]:
            before = (
                None
                if certificate_id is None
                else known.get((certificate_id, expires_on, item.days_before))
            )
            if before is None:
                inserts.append(
                    {
                        "certificate_id": certificate_id,
                        "expires_on": expires_on,
                        "days_before": item.days_before,
                        "planned_on": item.planned_on,
                        "due_at": item.due_at,
                        "state": ReminderState.PLANNED.value,
                        "recipients": 0,
                    }
                )
            elif before[1] == ReminderState.CANCELLED.value:
                again.append(
                    {
                        "row_id": before[0],
                        "new_planned_on": item.planned_on,
                        "new_due_at": item.due_at,
                    }
                )
    return inserts, again


@dataclass(frozen=True)
class FirmCertificate:
    certificate: certificates_q.CertificateView
    reminders: list[expiry_reminders_q.ReminderView]


def firm_certificates(session: Session, *, tax_id: str) -> list[FirmCertificate]:
    """A firm's certificates, soonest expiry first, each with its reminders."""
    found = certificates_q.fetch_certificates_of(session=session, tax_id=tax_id)
    reminders = expiry_reminders_q.fetch_reminders_of(
        session=session, certificate_ids=[c.id for c in found]
    )
    return [FirmCertificate(c, reminders[c.id]) for c in found]


def firm_lines(
    found: list[FirmCertificate], language: str, text: Callable[..., str]
) -> list[list[str]]:
    """Each certificate's line followed by one line per reminder, as `registry show` prints
    them and `/registry` shows them; `text` is `plain` for the terminal, `t` for chat."""
    roc = language == "zh-TW"
    blocks = []
    for item in found:
        c = item.certificate
        block = [
            text(
                language,
                "registry.certificate_line",
                kind=c.kind_zh if roc else c.kind_en,
                number=c.number,
                product=c.product,
                expires=format_day(c.expires_on, language, roc=roc),
                withdrawn=text(language, "registry.withdrawn_mark") if c.withdrawn else "",
            )
        ]
        for r in item.reminders:
            block.append(
                text(
                    language,
                    "registry.reminder_line",
                    days=r.days_before,
                    planned=format_day(r.planned_on, language, roc=roc),
                    state=text(language, f"registry.states.{r.state}"),
                )
            )
        blocks.append(block)
    return blocks


def unreachable_certificates(
    session: Session, *, within: int, today: date
) -> list[certificates_q.CertificateView]:
    """Certificates in force expiring within `within` days whose firm has no chat."""
    if not 0 < within <= 3660:
        raise UserError("registry.bad_within")
    return certificates_q.fetch_unreachable_certificates(
        session=session, first=today, last=today + timedelta(days=within)
    )


def set_renewal(session: Session, *, code: str, text_zh: str, text_en: str, now: datetime) -> str:
    """Store what reminders of this category tell firms to do; returns the category code."""
    category = notices_q.fetch_category_by_code(session=session, code=code.strip().lower())
    if category is None or category.id is None:
        raise UserError("registry.unknown_category", code=code)
    zh, en = one_line(text_zh), one_line(text_en)
    if not zh or not en:
        raise UserError("registry.renewal_empty")
    if len(zh) > RENEWAL_LIMIT or len(en) > RENEWAL_LIMIT:
        raise UserError("registry.renewal_too_long", limit=RENEWAL_LIMIT)
    renewals_q.save_renewal(
        session=session, category_id=category.id, text_zh=zh, text_en=en, now=now
    )
    return category.code
