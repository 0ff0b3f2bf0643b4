"""Background loops that send (reminders, overdue lists): claim rows, send, mark.

The rows are the schedule, so a restart loses nothing and sends nothing twice.
"""
