"""`python -m tests.fakes [--port N] [--enforce-limits] ...`: the fake Bot API as a process."""

from __future__ import annotations

from tests.fakes.process import main

if __name__ == "__main__":
    main()
