"""Background loops that find what is due and write it to the outbox (they send nothing
themselves). The rows are the schedule, so a restart loses nothing and sends nothing twice.

    loops.py                 a step every N seconds, started and stopped with the application
    case_reminders.py        case reminders and overdue lists due now
    case_surveys.py          the question after a closed case
    courtesy_reminders.py    courtesy-test reminders, once a day per recipient
    assessment_reminders.py  the self-assessment's deadline reminders
    duty_reminders.py        recurring duties due in 10 or 3 working days, or today
    expiry_reminders.py      certificate expiry reminders released in office hours
    improvement_reminders.py survey improvement actions due soon or overdue, to the owner unit
    mail_digests.py          the daily and weekly e-mail digests, 08:30 on working days
    need_reminders.py        firms' open needs reminded before their deadline and once overdue
"""
