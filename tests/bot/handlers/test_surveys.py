"""A periodic survey through the fake Bot API: a seeded sample of 50 that a fresh database
draws alike, answered question by question (one respondent stops and resumes, one never
answers), once only; the report's figures equal those computed here; no output names anyone;
/survey for the secretariat; /forget cuts the link and keeps the answers."""

from __future__ import annotations

from pathlib import Path
from statistics import fmean

from sqlmodel import Session, select

from bot.surveys.admin import create_survey, send_survey
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from kernel.clock import utcnow
from kernel.reporting import plain
from storage.db import Database
from storage.models import Delivery, Person, Role, SurveyAnswer, SurveyInvitation
from tests.factories import add_firm, person
from tests.harness import BotHarness

FIRST = 7_700_000_001
SECRETARY = 8201
SEED = 2027
SCALE = ("environment", "etiquette", "professionalism", "measures", "overall")


def firms(db: Database, *, count: int = 120, reverse: bool = False) -> list[int]:
    """`count` firms (chat ids FIRST, FIRST + 7, …) subscribed to cns or rpc, with names and
    usernames, inserted in order or backwards (so their row ids differ)."""
    chats = [FIRST + 7 * i for i in range(count)]

    def add(session: Session) -> None:
        for chat in reversed(chats) if reverse else chats:
            firm = add_firm(session, chat, ["cns"] if chat % 2 else ["rpc", "cns"])
            firm.first_name = f"Firm Owner {chat}"
            firm.username = f"owner_{chat}"
            session.add(firm)

    db.call(add)
    return chats


def sampled_chats(db: Database, survey_id: int) -> list[int]:
    def read(session: Session) -> list[int]:
        rows = session.exec(
            select(Person.telegram_id)
            .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)  # type: ignore[arg-type]
            .where(SurveyInvitation.survey_id == survey_id)
        ).all()
        return sorted(int(r) for r in rows)

    return db.call(read)


def invitation_of(db: Database, survey_id: int, chat: int) -> int:
    def read(session: Session) -> int:
        found = session.exec(
            select(SurveyInvitation.id)
            .join(Person, Person.id == SurveyInvitation.person_id)  # type: ignore[arg-type]
            .where(SurveyInvitation.survey_id == survey_id, Person.telegram_id == chat)
        ).one()
        return int(found or 0)

    return db.call(read)


def send_sample(db: Database) -> int:
    survey_id = db.call(
        create_survey, template="service", title="115 年服務滿意度調查", now=utcnow()
    )
    db.call(
        send_survey,
        survey_id=survey_id,
        category_codes=["cns"],
        sample=50,
        seed=SEED,
        now=utcnow(),
    )
    return survey_id


async def alert_after(bot: BotHarness, user_id: int, data: str) -> str:
    """Press a button; the text of the callback query's answer."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user_id, data)
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > before, what=f"an answer to {data}"
    )
    return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text") or "")


async def answer(
    bot: BotHarness, chat: int, invitation: int, scores: list[int], *, start: int = 0
) -> None:
    """Press scores for questions start, start + 1, …; each press edits and asks the next."""
    for position, score in enumerate(scores, start=start):
        text = await bot.press(chat, f"svy:a:{invitation}:{position}:{score}", replies=2)
        if position + 1 < len(SCALE):
            assert f"第 {position + 2} 題" in text
        else:
            assert "/skip" in text  # the free-text question


async def test_a_sampled_survey_answered_resumed_and_reported(
    bot: BotHarness, tmp_path: Path
) -> None:
    chats = firms(bot.db)
    survey_id = send_sample(bot.db)
    sample = sampled_chats(bot.db, survey_id)
    assert len(sample) == 50 and set(sample) <= set(chats)

    # The same seed on a fresh database, firms written in the other order: the same 50.
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        fresh.upgrade()
        firms(fresh, reverse=True)
        assert sampled_chats(fresh, send_sample(fresh)) == sample
    finally:
        fresh.dispose()

    # The outbox delivers one invitation to each of the 50, and to nobody else.
    def delivered() -> set[int]:
        return {int(c.chat_id) for c in bot.fake.calls("sendMessage") if c.ok}

    await bot.wait_until(lambda: len(delivered()) >= 50, what="50 invitations")
    assert delivered() == set(sample)
    invitation_text = bot.fake.last_text(sample[0])
    assert "115 年服務滿意度調查" in invitation_text and "/forget" in invitation_text

    full = {sample[0]: [5, 4, 4, 5, 5], sample[1]: [3, 2, 4, 3, 3], sample[2]: [4, 5, 1, 4, 4]}
    comments = {sample[0]: "等候區座位可以再多一些。", sample[1]: '=HYPERLINK("x")<b>網站難找</b>'}
    for chat, scores in full.items():
        first = await bot.press(chat, f"svy:go:{survey_id}")
        assert "第 1 題" in first
        await answer(bot, chat, invitation_of(bot.db, survey_id, chat), scores)
        if chat in comments:
            thanks = await bot.say(chat, comments[chat])
        else:
            thanks = await bot.say(chat, "/skip")
        assert "謝謝" in thanks

    # One stops after three questions and resumes later where it stopped.
    halfway = sample[3]
    invitation = invitation_of(bot.db, survey_id, halfway)
    await bot.press(halfway, f"svy:go:{survey_id}")
    await answer(bot, halfway, invitation, [2, 3, 3])
    resumed = await bot.press(halfway, f"svy:go:{survey_id}")
    assert "第 4 題" in resumed
    await answer(bot, halfway, invitation, [2, 1], start=3)
    await bot.say(halfway, "/skip")
    full[halfway] = [2, 3, 3, 2, 1]

    # Once only: the start button says so, an old answer button is stale; nothing changes.
    answers_before = bot.db.call(lambda session: len(session.exec(select(SurveyAnswer)).all()))  # type: ignore[misc]
    assert "已填答" in await alert_after(bot, sample[0], f"svy:go:{survey_id}")
    stale = await alert_after(
        bot, sample[0], f"svy:a:{invitation_of(bot.db, survey_id, sample[0])}:0:1"
    )
    assert stale != ""
    # Another's invitation, pressed by someone who was not invited: stale too.
    assert (
        await alert_after(
            bot, chats[-1] if chats[-1] not in sample else chats[-2], f"svy:a:{invitation}:4:5"
        )
        != ""
    )
    answers_after = bot.db.call(lambda session: len(session.exec(select(SurveyAnswer)).all()))  # type: ignore[misc]
    assert answers_after == answers_before

    # The report equals what is computed here (sample[4] never answers).
    report = bot.db.call(build_survey_report, survey_id=survey_id, language="zh-TW")
    assert (report.invited, report.responded, report.finished) == (50, 4, 4)
    assert report.rate_pct == 8.0
    by_code = dict(zip(SCALE, zip(*full.values(), strict=True), strict=True))
    means = {code: fmean(scores) for code, scores in by_code.items()}
    rows = {row.label: row for row in report.items}
    assert len(rows) == 5
    for code, scores in by_code.items():
        row = rows[plain("zh-TW", f"surveys.item.{code}")]
        assert row.figures.responses == 4
        assert row.figures.mean is not None and abs(row.figures.mean - means[code]) < 1e-9
        assert row.figures.distribution == tuple(scores.count(s) for s in range(1, 6))
        assert row.figures.satisfied == sum(s >= 4 for s in scores) / 4
    assert [r.figures.mean for r in report.items] == sorted(means.values())  # lowest first
    assert sorted(text for _, text in report.comments) == sorted(comments.values())

    files = write_report(report, tmp_path / "out")
    html = files[0].read_text(encoding="utf-8")
    assert "&lt;b&gt;網站難找&lt;/b&gt;" in html and "<b>網站難找" not in html
    comments_csv = next(f for f in files if f.name.endswith("-comments.csv"))
    assert "'=HYPERLINK" in comments_csv.read_text(encoding="utf-8-sig")

    # /survey for the secretariat: the rate, nobody's identity; a firm is refused.
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    listing = await bot.say(SECRETARY, "/survey")
    assert "邀請 50 人，回收 4 份（回收率 8.0%）" in listing
    refused = await bot.say(sample[4], "/survey")
    assert "權限" in refused or "permission" in refused

    outputs = [f.read_text(encoding="utf-8-sig") for f in files if f.suffix != ".png"]
    outputs += [str(m.get("text") or "") for m in bot.fake.sent()]
    for chat in sample:
        for text in outputs:
            assert str(chat) not in text
            assert f"owner_{chat}" not in text and f"Firm Owner {chat}" not in text


async def test_forget_cuts_the_link_and_keeps_the_answers(bot: BotHarness) -> None:
    firms(bot.db, count=3)
    survey_id = send_sample(bot.db)
    chat = FIRST
    await bot.wait_until(
        lambda: bot.db.call(
            lambda session: all(  # type: ignore[misc]
                d.status == "sent" for d in session.exec(select(Delivery)).all()
            )
        ),
        what="the invitations sent",
    )
    await bot.press(chat, f"svy:go:{survey_id}")
    await answer(bot, chat, invitation_of(bot.db, survey_id, chat), [4, 4])
    await bot.say(chat, "/forget")
    await bot.press(chat, "forget:yes")

    def rows(session: Session) -> tuple[list[SurveyInvitation], int]:
        return (
            list(session.exec(select(SurveyInvitation)).all()),
            len(session.exec(select(SurveyAnswer)).all()),
        )

    invitations, answers = bot.db.call(rows)
    assert answers == 2
    assert sum(i.person_id is None for i in invitations) == 1
    assert any(i.position == 2 and i.person_id is None for i in invitations)


async def test_forged_or_malformed_survey_buttons_are_stale_and_change_nothing(
    bot: BotHarness,
) -> None:
    firms(bot.db, count=2)
    survey_id = send_sample(bot.db)
    invitation = invitation_of(bot.db, survey_id, FIRST)
    for data in (
        "svy:zz",
        "svy:go",
        f"svy:a:{invitation}:0",
        f"svy:a:{invitation}:0:9",
        f"svy:a:{invitation}:3:4",  # not the question this person is at
        f"svy:a:{invitation}:0:4:1",
        "svc:s:1",
        "svc:s:999:4",
        "svc:x:1:4",
    ):
        assert await alert_after(bot, FIRST, data) != "", data
    answers = bot.db.call(lambda session: len(session.exec(select(SurveyAnswer)).all()))  # type: ignore[misc]
    assert answers == 0
    assert "目前沒有可略過" in await bot.say(FIRST, "/skip")
