"""What the filing handlers share: the button prefix of /report, /status and the petitioner's
answer (its buttons in old messages still carry it)."""

PREFIX = "rep"
