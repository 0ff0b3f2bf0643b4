"""The cases domain: complaints and monitor reports, from filing to closing. No telegram here.

Where to look:

- `deadlines`: working or calendar days, the reply deadline, on time or late.
- `filing`: the report being filed (`Draft`), its checks, the case number, `file_case`.
- `actions`: what staff can do to a case and who may do which, in which state.
- `lifecycle`: what each action changes (assign, ask, reply, extend, close …) as one
  transaction with its event and audit row, and who is told.
- `news`: `Notice`, a message to send after commit, and who is told what.
- `details`: one case as a viewer may see it; `listing`: the staff lists and the reporter's own.
- `reminders`: which reminders are due, claimed once per recipient.
- `summary`: the secretariat's monthly figures and /summary's use case; `summary_report`: them
  as HTML, CSV, PNG and a chat line.
- `periods`: the half-year or year analysis's figures; `period_report`: them as HTML, CSV, PNG
  and a chat line.
- `report_tables`: what both reports share: the overdue list and the products, declared once,
  and the note on the plan's targets.
- `intake`: a case received by phone, letter, e-mail, walk-in or the website, logged in chat;
  `letters`: the reply letter to a petitioner answered by post (A4 HTML and PDF).
- `importing`: cases received off-line, from CSV; `demo`: a realistic year of cases.
"""
