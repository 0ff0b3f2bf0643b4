"""Visits to firms (企業關懷活動, 赴廠訪視) and the needs firms raise, answered within a
deadline on the work calendar; no Telegram here.

    recording.py  what a visit and a need may be, recording them, answering a need
    listing.py    a period's visits and needs, each need's state, the counts per unit
    reminders.py  open needs reminded to their unit and the secretariat, once each
    noticing.py   a need turned into a notice targeted at the firm's 統一編號

Use cases are plain functions on a session (one transaction, the caller's): they check, change,
write their audit row and return what the front end shows; the CLI (`bsmi-desk visit`) and the
chat (`/visit`, `/needs`) call the same ones.
"""
