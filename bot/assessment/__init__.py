"""The self-assessment (附表2) and the half-year and year pack. Its periods (`2027-H1`,
`2027`) and their deadlines are `kernel.periods`.

    targets.py    yearly targets
    scoring.py    the review panel's scores and grades, history, publication
    report.py     the 附表2 table
    evidence.py   the evidence for the panel, from courtesy, notices and cases, and its files
    sections.py   what a source of evidence reads and gives (context, section, columns)
    evidence_surveys.py  服務評價 from the periodic survey and the improvements of its findings
    evidence_outreach.py  evidence of visits to firms, firms' needs answered, the notices' reach
    evidence_duties.py  evidence from training held and facility duties done on time
    evidence_replies.py  服務遞送 per unit: each unit's final replies and how they reached
                  the petitioner
    overview.py   `/assessment` and `/summary 2027-H1` as use cases
    reminders.py  the deadline reminders' rules
    demo.py       the demo's half-year pack

It reads figures from the other domains (cases, courtesy, notices), so it sits above them in
the import layers; nothing below imports it.
"""
