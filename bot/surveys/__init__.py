"""Satisfaction surveys (no Telegram here): periodic surveys of subscribed firms and the one
question after a closed case, their answers and their reports.

    templates.py      the questions of each template (`service`), in both languages
    prompts.py        a message with its buttons, and the button data this feature makes
    admin.py          create, send (to subscribers of categories or a sample), close, /survey
    answering.py      a firm answers question by question, may stop and resume, answers once
    followups.py      the case question: when due, asked once, the score and the comment
    outbox.py         a survey message handed to the notice outbox for the chosen chats
    compose.py        what the outbox sends for a survey or a case question, per language
    statistics.py     mean, distribution, share satisfied and its Wilson interval (pure)
    findings.py       a survey's findings: its lowest item and those under the threshold
    improvements.py   improvement actions answering findings: open, move on, close, list
    reports.py        what a survey report holds (rows, trend), shared by the two below
    survey_report.py  the report of one periodic survey
    case_report.py    the case follow-ups of a half-year or year (a `kernel.periods.Period`)
    report_files.py   a report as HTML, CSV and the chart
    figures.py        satisfaction of case follow-ups for other features (the self-assessment)
    demo.py           a sent survey with answers and answered case follow-ups for the demo
"""
