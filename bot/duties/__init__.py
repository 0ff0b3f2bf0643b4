"""Recurring duties (定期工作) and training sessions: the plan's dated duties with their
evidence, and the training held against the year's target. No telegram.

    schedule.py   a duty's nominal dates by its recurrence, each due on the work calendar
    records.py    add a duty, bring occurrences in, what is due, overdue and done, complete one
    reminders.py  10 and 3 working days before and on the day; the overdue list's section
    training.py   record and list training sessions
    texts.py      an occurrence and a session as one line, for chat and the command line
"""
