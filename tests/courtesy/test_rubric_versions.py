"""Rubric versions: listed one a line, and a new version added from JSON (malformed JSON is
refused)."""

from __future__ import annotations

import json

import pytest

from courtesy import rubric_versions
from courtesy.rubric import BUSINESS, DEFAULT_TEMPLATES
from kernel.errors import UserError
from storage.db import Database


def test_a_rubric_version_is_added_from_json_and_malformed_json_is_refused(
    db: Database,
) -> None:
    items = [i.to_json() for i in DEFAULT_TEMPLATES[BUSINESS][2]]
    before = db.call(rubric_versions.rubric_lines)
    version = db.call(
        rubric_versions.add_rubric_version,
        template=BUSINESS,
        text=json.dumps(items),
        name_en="Business unit, 2027",
    )
    after = db.call(rubric_versions.rubric_lines)
    assert version >= 2 and len(after) == len(before) + 1
    added = next(line for line in after if line.startswith(f"{BUSINESS} v{version} "))
    assert "/ Business unit, 2027)" in added and "speed:25" in added
    with pytest.raises(UserError) as bad:
        db.call(rubric_versions.add_rubric_version, template=BUSINESS, text="[{")
    assert bad.value.key == "courtesy.errors.rubric_shape"
