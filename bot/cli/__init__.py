"""The `bsmi-desk` command line (Typer): `app.py` is the root, one module per area below it."""
