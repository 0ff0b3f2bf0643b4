"""The telephone courtesy test tracker. Pure Python on storage/; never imports telegram.

directory.py        the staff directory: CSV import, inspectors linked to their chats
planner.py          the planner (pure): who is called in each round, when, by which inspector
schedule.py         a year's plan stored and read back from the database
schedule_csv.py     the schedule as CSV
rubric.py           the default rubrics, a total and its grade
rubric_versions.py  rubric versions in the database
scoring.py          results: one call at a time, or a CSV file at once
scoring_state.py    one call being scored in chat, item by item
actions.py          corrective and preventive actions, to a verified close
action_edits.py     an action filled in and moved on from chat
action_texts.py     what a person reads about actions, in their language
reminders.py        who is reminded of what, and when
reports.py          a round's or a year's figures
period_reports.py   the figures of a half-year or year (a `kernel.periods.Period`)
report_files.py     a report as HTML, CSV and PNG
demo.py             a realistic year of courtesy tests for `bsmi-desk demo`
"""
