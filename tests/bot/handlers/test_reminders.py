"""Through the fake Bot API: a firm links its 統一編號 in /profile, the branch imports a
certificate of that number expiring in 5 days, and in office hours the firm gets one reminder
naming it; a chat without the number gets nothing; /reminders off stops the next one."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.jobs.expiry_reminders import run_once
from bot.notices.registry import import_register
from kernel import workcalendar
from kernel.clock import utcnow
from kernel.reporting import format_day
from storage.models import Delivery, ExpiryReminder, Notice
from storage.models.notices import OPEN_STATUSES
from tests.harness import BotHarness

FIRM, OTHER = 3101, 3102
TAX_ID = "83045210"


def office_moment(bot: BotHarness) -> datetime:
    """10:00 on the last working day before today (in the past, so the outbox sends at once)."""
    tz = bot.settings.tz
    day = workcalendar.previous_working_day(utcnow().astimezone(tz).date())
    return datetime.combine(day, time(10), tzinfo=tz)


def import_certificate(bot: BotHarness, number: str, moment: datetime) -> None:
    expires = (moment.date() + timedelta(days=5)).isoformat()
    text = f"tax_id,kind,number,product,expires_on\n{TAX_ID},rpc,{number},行動電源,{expires}\n"
    bot.db.call(
        import_register,
        text=text,
        replace=False,
        days=(90, 30, 7),
        tz=bot.settings.tz,
        now=moment - timedelta(hours=1),
    )


def reminder_outbox(bot: BotHarness) -> list[tuple[int, str]]:
    def read(session: Session) -> list[tuple[int, str]]:
        rows = session.exec(
            select(Delivery.chat_id, Delivery.status)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .where(Notice.kind == "reminder")
        ).all()
        return [(c, s) for c, s in rows]

    return bot.db.call(read)


def states(bot: BotHarness) -> list[str]:
    def read(session: Session) -> list[str]:
        return list(session.exec(select(ExpiryReminder.state).order_by(col(ExpiryReminder.id))))

    return bot.db.call(read)


def texts(bot: BotHarness, chat: int, number: str) -> list[str]:
    return [
        c.text or ""
        for c in bot.fake.calls("sendMessage", chat_id=chat)
        if number in (c.text or "")
    ]


async def test_a_linked_firm_gets_one_reminder_and_none_after_turning_them_off(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/profile", language_code="en")
    await bot.say(FIRM, "Hsinchu Power Banks Ltd.", language_code="en")
    saved = await bot.say(FIRM, TAX_ID, language_code="en")
    assert TAX_ID in saved
    await bot.say(OTHER, "/start", language_code="en")
    moment = office_moment(bot)
    import_certificate(bot, "R3A001", moment)
    assert bot.app is not None
    await run_once(bot.app.bot_data["services"], moment)
    await bot.wait_until(
        lambda: (
            bool(reminder_outbox(bot))
            and all(s not in OPEN_STATUSES for _, s in reminder_outbox(bot))
        ),
        what="the reminder delivered",
    )
    assert reminder_outbox(bot) == [(FIRM, "sent")]
    received = texts(bot, FIRM, "R3A001")
    assert len(received) == 1
    # the firm chose no language, so the bot's default, Chinese, with the ROC date
    expires = format_day(moment.date() + timedelta(days=5), "zh-TW", roc=True)
    assert "驗證登錄" in received[0] and "行動電源" in received[0] and expires in received[0]
    assert texts(bot, OTHER, "R3A001") == []
    # of the 90-, 30- and 7-day reminders, all due at once, only the latest went out
    assert states(bot) == ["superseded", "superseded", "sent"]

    shown = await bot.say(FIRM, "/reminders", language_code="en")
    assert "reminders are <b>on</b>" in shown and TAX_ID in shown
    done = await bot.press(FIRM, "rem:off", language_code="en")
    assert "reminders are <b>off</b>" in done
    import_certificate(bot, "R3A002", moment)
    await run_once(bot.app.bot_data["services"], moment + timedelta(minutes=1))
    assert states(bot)[3:] == ["superseded", "superseded", "skipped"]
    assert reminder_outbox(bot) == [(FIRM, "sent")]
    assert texts(bot, FIRM, "R3A002") == []


async def test_reminders_without_a_tax_id_say_how_to_get_them(bot: BotHarness) -> None:
    shown = await bot.say(OTHER, "/reminders", language_code="en")
    assert "/profile" in shown and "tax ID" in shown
