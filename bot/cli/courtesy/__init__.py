"""`bsmi-desk courtesy …`: directory, plan, schedule, results, corrective actions, reports.

This root gathers the parts (one module each); no part imports it.

    staff.py    `staff …`: import the directory, link an inspector, list it
    plan.py     `plan` and `schedule`: draw a year's calls and print them
    rubrics.py  `rubric …`: the rubric versions
    results.py  `record` and `import`: one call's result, or a file of them
    actions.py  `actions` and `action`: corrective actions, filled in and moved on
    reports.py  `report`: a round's or a year's report as files
    shared.py   what the parts share: language, date, files read as text, refusals by line
"""

from __future__ import annotations

import typer

from bot.cli.courtesy import actions, plan, reports, results, rubrics, staff

courtesy_app: typer.Typer = typer.Typer(help="Telephone courtesy tests.", no_args_is_help=True)
courtesy_app.add_typer(staff.staff_app, name="staff")
courtesy_app.add_typer(rubrics.rubric_app, name="rubric")
courtesy_app.command("plan")(plan.plan)
courtesy_app.command("schedule")(plan.show_schedule)
courtesy_app.command("record")(results.record)
courtesy_app.command("import")(results.import_results)
courtesy_app.command("actions")(actions.list_actions)
courtesy_app.command("action")(actions.update_action)
courtesy_app.command("report")(reports.report)
