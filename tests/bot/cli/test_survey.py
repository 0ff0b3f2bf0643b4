"""`bsmi-desk survey create|send|close|report`: the id alone on the last line, sending through
the outbox to subscribers or a seeded sample, one sentence and exit code 2 for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli.app import app
from storage.db import Database
from storage.models import Delivery, Notice, Survey, SurveyInvitation, SurveyQuestion
from tests.factories import add_firm


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, ["survey", *args])
    return result.exit_code, result.stdout, result.stderr


def subscribers(db: Database) -> None:
    def add(session: Session) -> None:
        for chat in range(9001, 9011):
            add_firm(session, chat, ["cns"] if chat % 2 else ["rpc"])
        add_firm(session, 9011, ["cns"], blocked=True)

    db.call(add)


def test_create_prints_the_id_alone_on_its_last_line(cli: CliRunner, db: Database) -> None:
    code, out, err = run(cli, "create", "--title", "  2027 年服務滿意度調查 ")
    assert code == 0, err
    survey_id = int(out.strip().splitlines()[-1])
    survey = db.call(lambda session: session.get(Survey, survey_id))
    assert survey is not None and survey.title == "2027 年服務滿意度調查"
    questions = db.call(
        lambda session: list(session.exec(select(SurveyQuestion)).all())  # type: ignore[misc]
    )
    assert [(q.code, q.kind) for q in questions] == [
        ("environment", "scale"),
        ("etiquette", "scale"),
        ("professionalism", "scale"),
        ("measures", "scale"),
        ("overall", "scale"),
        ("comment", "text"),
    ]
    assert "洽公環境" in questions[0].text_zh and "environment" in questions[0].text_en


def test_send_goes_through_the_outbox_to_the_categories_subscribers(
    cli: CliRunner, db: Database
) -> None:
    subscribers(db)
    survey_id = run(cli, "create", "--title", "T")[1].split()[-1]
    code, out, err = run(cli, "send", survey_id, "--category", "cns")
    assert code == 0, err
    assert "5 of 5" in out  # the blocked subscriber is not counted nor sent to

    def outbox(session: Session) -> tuple[Notice, list[int], int]:
        notice = session.exec(select(Notice)).one()
        chats = sorted(d.chat_id for d in session.exec(select(Delivery)).all())
        invited = len(session.exec(select(SurveyInvitation)).all())
        return notice, chats, invited

    notice, chats, invited = db.call(outbox)
    assert (notice.kind, notice.ref_id, notice.state) == ("survey", int(survey_id), "released")
    assert chats == [9001, 9003, 9005, 9007, 9009] and invited == 5
    code, _, err = run(cli, "send", survey_id)
    assert code == 2 and "sent already" in err


def test_a_seeded_sample_is_the_same_draw_every_time(cli: CliRunner, db: Database) -> None:
    subscribers(db)
    drawn = []
    for _ in range(2):
        survey_id = run(cli, "create", "--title", "T")[1].split()[-1]
        code, out, err = run(cli, "send", survey_id, "--sample", "4", "--seed", "11")
        assert code == 0 and "4 of 10" in out, err

        def chats(session: Session, *, notice_ref: int = int(survey_id)) -> list[int]:
            notice = session.exec(select(Notice).where(Notice.ref_id == notice_ref)).one()
            rows = session.exec(select(Delivery).where(Delivery.notice_id == notice.id)).all()
            return sorted(d.chat_id for d in rows)

        drawn.append(db.call(chats))
    assert drawn[0] == drawn[1] and len(drawn[0]) == 4


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("create", "--template", "nope", "--title", "T"), "no survey template"),
        (("create", "--title", "   "), "title of 1 to 200"),
        (("send", "42"), "no survey 42"),
        (("send", "99999999999"), "no survey"),
        (("close", "42"), "no survey 42"),
        (("report", "--out", "out"), "either a survey ID"),
        (("report", "--cases", "--out", "out"), "either a survey ID"),
        (("report", "--cases", "--period", "2027-H3", "--out", "out"), "not a period"),
        (("report", "--cases", "--period", "2027", "--lang", "fr", "--out", "out"), "zh-TW"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_code_2(
    cli: CliRunner, args: tuple[str, ...], says: str
) -> None:
    code, out, err = run(cli, *args)
    assert code == 2, out
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_send_refuses_unknown_categories_a_lone_sample_and_nobody(
    cli: CliRunner, db: Database
) -> None:
    survey_id = run(cli, "create", "--title", "T")[1].split()[-1]
    code, _, err = run(cli, "send", survey_id)
    assert code == 2 and "Nobody is subscribed" in err
    subscribers(db)
    code, _, err = run(cli, "send", survey_id, "--category", "cns", "--category", "zzz")
    assert code == 2 and "zzz" in err
    code, _, err = run(cli, "send", survey_id, "--sample", "3")
    assert code == 2 and "--seed" in err
    code, _, err = run(cli, "send", survey_id, "--sample", "0", "--seed", "1")
    assert code == 2 and "at least 1" in err
    assert db.call(lambda session: session.exec(select(Notice)).all()) == []


def test_close_then_report_writes_the_files(cli: CliRunner, tmp_path: Path) -> None:
    survey_id = run(cli, "create", "--title", "T")[1].split()[-1]
    code, out, _ = run(cli, "close", survey_id)
    assert code == 0 and "is closed" in out
    code, out, _ = run(cli, "close", survey_id)
    assert code == 0 and "closed already" in out
    code, _, err = run(cli, "send", survey_id)
    assert code == 2 and "is closed" in err
    code, out, err = run(cli, "report", survey_id, "--out", str(tmp_path / "r"))
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == [
        f"survey-{survey_id}-comments.csv",
        f"survey-{survey_id}-findings.csv",
        f"survey-{survey_id}-items.csv",
        f"survey-{survey_id}-trend.csv",
        f"survey-{survey_id}.html",
        f"survey-{survey_id}.png",
    ]
    code, out, err = run(cli, "report", "--cases", "--period", "2027-H1", "--out", "c")
    assert code == 0, err
    assert "case-survey-2027-H1.html" in out and "case-survey-2027-H1-groups.csv" in out
