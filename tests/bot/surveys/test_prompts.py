"""The survey messages (bot/surveys/prompts.py): the five-point scale one button a row with its
score in the data, the start button, a question numbered of its count with the scale (or the
hint to type, for a free text), and the case question naming the case and its closing day (ROC
in Chinese) with what is collected; every button's data fits Telegram's 64 bytes."""

from __future__ import annotations

from datetime import date

from bot.surveys.prompts import case_question, question_prompt, scale_buttons, start_button
from storage.models.surveys import SurveyQuestion

BIG = 2_000_000_000


def question(kind: str, position: int = 2) -> SurveyQuestion:
    return SurveyQuestion(
        survey_id=1, position=position, code="q", kind=kind, text_zh="服務態度？", text_en="Tone?"
    )


def test_the_scale_is_five_buttons_one_a_row_from_very_dissatisfied() -> None:
    rows = scale_buttons("en", "svc:s:7")
    assert [len(row) for row in rows] == [1] * 5
    assert [row[0].data for row in rows] == [f"svc:s:7:{s}" for s in range(1, 6)]
    assert rows[0][0].label == "1 Very dissatisfied" and rows[4][0].label == "5 Very satisfied"
    assert start_button("en", 9)[0][0].data == "svy:go:9"


def test_a_scale_question_has_its_number_and_buttons_and_a_text_question_the_hint() -> None:
    scale = question_prompt(question("scale"), invitation_id=BIG, count=6, language="en")
    assert scale.text == "<b>Question 3 of 6</b>\nTone?"
    assert [row[0].data for row in scale.buttons][-1] == f"svy:a:{BIG}:2:5"
    assert all(len(row[0].data.encode()) <= 64 for row in scale.buttons)
    text = question_prompt(question("text", 5), invitation_id=1, count=6, language="zh-TW")
    assert text.text.startswith("<b>第 6 題，共 6 題</b>\n服務態度？\n") and text.buttons == ()


def test_the_case_question_names_the_case_and_its_closing_day_in_the_readers_calendar() -> None:
    chinese = case_question("zh-TW", BIG, number="2026-000123", closed_on=date(2026, 9, 8))
    assert "2026-000123" in chinese.text and "115/09/08" in chinese.text
    english = case_question("en", BIG, number="2026-000123", closed_on=date(2026, 9, 8))
    assert "closed on 2026-09-08" in english.text and "What we collect and why" in english.text
    assert [row[0].data for row in english.buttons][0] == f"svc:s:{BIG}:1"
