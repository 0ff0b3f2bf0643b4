"""UserError carries a catalogue key and its values, and reads as both in a log line."""

from __future__ import annotations

import pytest

from kernel.errors import UserError


def test_a_user_error_keeps_its_key_and_values() -> None:
    with pytest.raises(UserError) as caught:
        raise UserError("cases.not_found", number=42, name="王")
    assert caught.value.key == "cases.not_found"
    assert caught.value.values == {"number": 42, "name": "王"}
    assert caught.value.args == ("cases.not_found",)


def test_a_user_error_reads_as_its_key_and_values_in_a_log() -> None:
    assert str(UserError("cases.not_found", number=42, name="王")) == (
        "cases.not_found(number=42, name='王')"
    )
    assert str(UserError("cases.none")) == "cases.none()"
