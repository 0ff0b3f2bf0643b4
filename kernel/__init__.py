"""The shared kernel: what the chatbot and the courtesy tracker both use.

No Telegram and no SQL live here; it imports nothing of this project's.

    errors.py       `UserError`: a catalogue key and its values
    i18n/           the catalogues and `t()`
    clock.py        aware datetimes, local dates
    dates.py        dates people type or import: one parser, out-of-range years refused
    cleaning.py     text people type, cleaned one way (control and zero-width characters)
    csvread.py      every CSV read one way: a slip named by its line, never a traceback
    workcalendar.py Taiwan's work calendar
    periods.py      a month, half-year or year: one parser, bounds, labels, deadlines
    dates.py        the days people type or import: ISO or ROC, sane years
    reporting.py    ROC dates, round labels, catalogue texts for pages and files
    tables.py       report tables declared once (page, CSV, chat) and a report's files
    csvfiles.py     every CSV written one way
    charts.py       matplotlib charts with the product's own font
    pages.py        the frame of every report page
    templating.py   the one Jinja2 environment (`templates/`)
    textfiles.py    text files in the encodings offices save
    outgoing.py     a composed outbox message with its buttons
"""
