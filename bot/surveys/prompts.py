"""The messages this feature sends (`kernel.outgoing.Part`: Telegram HTML and rows of buttons)
and the button data it makes (`svy:` for surveys, `svc:` for the case question).

    svy:go:<survey id>                          start, or resume where one stopped
    svy:a:<invitation id>:<position>:<score>    a 1–5 answer to the question at `position`
    svc:s:<follow-up id>:<score>                the 1–5 answer to the case question
"""

from __future__ import annotations

from datetime import date

from kernel.i18n import t
from kernel.outgoing import Button, Part
from kernel.reporting import format_day, use_roc
from storage.models.surveys import SurveyQuestion

SURVEY = "svy"
CASE = "svc"
SCORES = (1, 2, 3, 4, 5)


def scale_buttons(language: str, data_prefix: str) -> tuple[tuple[Button, ...], ...]:
    """Five buttons from 1 非常不滿意 to 5 非常滿意, one a row, as `<data_prefix>:<score>`."""
    return tuple(
        (Button(t(language, f"surveys.scale.{s}", score=s), f"{data_prefix}:{s}"),) for s in SCORES
    )


def start_button(language: str, survey_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(t(language, "surveys.start_button"), f"{SURVEY}:go:{survey_id}"),),)


def question_text(question: SurveyQuestion, language: str) -> str:
    return question.text_zh if language == "zh-TW" else question.text_en


def question_prompt(
    question: SurveyQuestion, *, invitation_id: int, count: int, language: str
) -> Part:
    """Question `position + 1` of `count`: a 1–5 scale with its buttons, or a free text."""
    header = t(
        language,
        "surveys.question_header",
        number=question.position + 1,
        count=count,
        text=question_text(question, language),
    )
    if question.kind == "text":
        return Part(header + "\n" + t(language, "surveys.text_hint"))
    data = f"{SURVEY}:a:{invitation_id}:{question.position}"
    return Part(header, scale_buttons(language, data))


def case_question(language: str, follow_up_id: int, *, number: str, closed_on: date) -> Part:
    """The question after a closed case, naming the case (its number and closing date, ROC in
    Chinese as every date the public reads), with what is collected and why."""
    closed = format_day(closed_on, language, roc=use_roc(language))
    question = t(language, "surveys.case.question", number=number, closed=closed)
    text = question + "\n\n" + t(language, "surveys.case.privacy")
    return Part(text, scale_buttons(language, f"{CASE}:s:{follow_up_id}"))
