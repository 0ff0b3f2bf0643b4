"""Query functions: keyword-only, the session first, named for what they do; none commits."""
