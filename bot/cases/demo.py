"""A realistic year of cases for `bsmi-desk demo`: most closed on time, some late, a few open."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.actions import Action
from bot.cases.deadlines import add_days, closure_for, due_date
from bot.cases.filing import format_number
from kernel import workcalendar
from storage.models import Case, CaseEvent
from storage.models.cases import FINAL_STATES, CaseKind, CaseState, Channel
from storage.queries.cases import fetch_category_by_code, set_case_counter
from storage.queries.people import fetch_units

_PRODUCTS = [
    "行動電源 PowerMax 20000mAh",
    "電暖器 WarmUp HX-200",
    "兒童玩具 積木組 BlockFun",
    "延長線 SafePlug 6 孔",
    "安全帽 RideSafe R1",
    "電動自行車充電器 EC-48",
    "LED 燈泡 BrightLite 12W",
    "吹風機 AirDry 1200",
    "電熱水壺 HotPot K-17",
    "嬰兒床 SleepWell Mini",
    "USB 充電器 QuickCharge 65W",
    "除濕機 DryAir D12",
]
_PLACES = ["新竹市東區某量販店", "竹北市購物中心", "桃園市中壢區夜市", "網路商城 shop.example.tw"]
_SERVICE = [
    "報驗櫃檯等候時間過長",
    "電話轉接未有人接聽",
    "申請案件進度未獲回覆",
    "網站表單無法送出",
]
_PRODUCT_UNITS = ["sec1", "sec2", "sec3", "sec4", "sec5", "sec6", "taoyuan", "airport"]
_CATEGORY_BY_KIND = {
    "product": ["market", "rpc", "cns", "regulated"],
    "monitor": ["market", "rpc"],
}


def seed_demo(session: Session, *, rng: random.Random, year: int) -> None:
    """About 350 public and 250 monitor cases over `year` (up to today), most closed, some late,
    a few open or overdue. Needs only the seeded units and categories."""
    tz = ZoneInfo("Asia/Taipei")
    today = min(date(year, 12, 31), datetime.now(tz).date())
    first = date(year, 1, 1)
    if today < first:
        return
    days = workcalendar.working_days_in(first, today)
    fraction = (today - first).days / 365
    units = {u.code: u.id for u in fetch_units(session=session)}
    categories = {
        code: fetch_category_by_code(session=session, code=code)
        for code in ("market", "rpc", "cns", "regulated", "metrology")
    }
    counts = {
        CaseKind.PRODUCT: round(300 * fraction),
        CaseKind.SERVICE: round(50 * fraction),
        CaseKind.MONITOR: round(250 * fraction),
    }
    for kind, count in counts.items():
        received = sorted(rng.choice(days) for _ in range(count))
        for seq, received_on in enumerate(received, start=1):
            due_on = due_date(received_on, 30, "working")
            if kind is CaseKind.SERVICE:
                subject = rng.choice(_SERVICE)
                unit_code = rng.choice(["secretariat", "sec1", "personnel"])
                category = None
            else:
                subject = rng.choice(_PRODUCTS)
                unit_code = rng.choice(_PRODUCT_UNITS)
                category = categories.get(rng.choice(_CATEGORY_BY_KIND[kind.value]))
            age = (today - received_on).days
            roll = rng.random()
            state = CaseState.CLOSED
            replied_on = closed_on = None
            if age < 10 and roll < 0.5:
                state = rng.choice([CaseState.RECEIVED, CaseState.ASSIGNED])
            elif age < 45 and roll < 0.35:
                state = rng.choice([CaseState.INVESTIGATING, CaseState.NEEDS_INFO])
            elif roll < 0.015:
                state = CaseState.INVESTIGATING  # overdue
            elif roll < 0.05:
                state = rng.choice(
                    [CaseState.DUPLICATE, CaseState.NOT_HANDLED, CaseState.TRANSFERRED]
                )
            if state in FINAL_STATES:
                late = rng.random() < 0.06
                span = workcalendar.working_days_between(received_on, due_on)
                answer_in = span + rng.randint(1, 6) if late else rng.randint(3, span)
                replied_on = add_days(received_on, answer_in, "working")
                closed_on = replied_on + timedelta(days=rng.choice([0, 0, 1, 2]))
                if closed_on > today:
                    state, replied_on, closed_on = CaseState.INVESTIGATING, None, None
            row = Case(
                number=format_number(kind, year, seq),
                kind=kind.value,
                channel=rng.choice(
                    [Channel.TELEGRAM] * 6 + [Channel.PHONE, Channel.WEB, Channel.LETTER]
                ).value,
                year=year,
                seq=seq,
                state=state.value,
                subject=subject,
                location=None if kind is CaseKind.SERVICE else rng.choice(_PLACES),
                description=f"{subject}：民眾反映疑似不符檢驗規定，請協助查明並依法處理。",
                category_id=category.id if category else None,
                unit_id=None if state is CaseState.RECEIVED else units.get(unit_code),
                received_at=datetime.combine(received_on, time(rng.randint(8, 17)), tzinfo=tz),
                received_on=received_on,
                due_on=due_on,
                paused_on=today if state is CaseState.NEEDS_INFO else None,
                replied_on=replied_on,
                closed_on=closed_on,
            )
            if closed_on is not None and replied_on is not None:
                row.closure = closure_for(replied_on, due_on).value
                row.days_to_close = (closed_on - received_on).days
                if state is CaseState.CLOSED:
                    row.reply_text = "經查核已依規定處理，感謝您的反映。"
                else:
                    row.reason = "示範資料"
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(
                CaseEvent(
                    case_id=row.id,
                    at=row.received_at,
                    action="file",
                    to_state=CaseState.RECEIVED.value,
                    note=row.channel,
                )
            )
            if state is not CaseState.RECEIVED:
                session.add(
                    CaseEvent(
                        case_id=row.id,
                        at=row.received_at + timedelta(days=1),
                        action=Action.ASSIGN,
                        from_state=CaseState.RECEIVED.value,
                        to_state=CaseState.ASSIGNED.value,
                        note=unit_code,
                    )
                )
            if closed_on is not None:
                session.add(
                    CaseEvent(
                        case_id=row.id,
                        at=datetime.combine(closed_on, time(16), tzinfo=tz),
                        action="close",
                        from_state=CaseState.ASSIGNED.value,
                        to_state=state.value,
                    )
                )
        set_case_counter(session=session, kind=kind, year=year, last_seq=count)
    session.flush()
