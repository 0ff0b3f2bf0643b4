"""The self-assessment (附表2) and the half-year and year pack: periods and their deadlines,
yearly targets, the review panel's scores and grades, publication, follow-ups, the 附表2
report, the evidence for the panel and the deadline reminders' rules.

It reads figures from the other domains (cases, courtesy, notices), so it sits above them in
the import layers; nothing below imports it.
"""
