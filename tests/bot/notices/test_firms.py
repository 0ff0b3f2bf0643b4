"""A firm's profile: the 統一編號 check rule (2023 revision), company names, and the /profile
conversation's state as stored in user data."""

from __future__ import annotations

import pytest

from bot.notices import firms
from kernel.errors import UserError
from storage.db import Database
from tests.factories import add_firm


@pytest.mark.parametrize("tax_id", ["04595257", "10000004", "10000010", "22000470", "22000471"])
def test_valid_tax_ids_pass_the_2023_check_rule(tax_id: str) -> None:
    assert firms.tax_id_is_valid(tax_id)


def test_a_number_divisible_by_five_but_not_ten_passes_since_the_2023_revision() -> None:
    # 1×1 + 4×1 = 5: the old "divisible by 10" rule refused it; the 2023 rule accepts it.
    assert firms.tax_id_is_valid("10000004")


def test_a_seventh_digit_of_seven_lets_the_total_plus_one_be_divisible() -> None:
    # 2+4+0+0+0+8+10+0 = 24: not divisible by 5, but 25 is, and the seventh digit is 7.
    assert firms.tax_id_is_valid("22000470")
    # The same total without a 7 in the seventh digit fails.
    assert not firms.tax_id_is_valid("22000480")


@pytest.mark.parametrize("tax_id", ["12345678", "22000472", "10000001", "1234567", "1234567a"])
def test_tax_ids_failing_the_check_or_the_shape_are_refused(tax_id: str) -> None:
    assert not firms.tax_id_is_valid(tax_id)


def test_clean_tax_id_says_whether_the_shape_or_the_check_digit_is_wrong() -> None:
    with pytest.raises(UserError) as shape:
        firms.clean_tax_id("1234")
    assert shape.value.key == "notices.tax_id_shape"
    with pytest.raises(UserError) as check:
        firms.clean_tax_id("12345678")
    assert check.value.key == "notices.tax_id_check"
    assert firms.clean_tax_id(" 0459-5257 ") == "04595257"


def test_a_company_name_is_tidied_and_refused_when_empty_or_too_long() -> None:
    assert firms.clean_company_name("  Hsinchu   Lamps\nLtd. ") == "Hsinchu Lamps Ltd."
    with pytest.raises(UserError) as empty:
        firms.clean_company_name(" \n ")
    assert empty.value.key == "notices.company_empty"
    with pytest.raises(UserError) as long:
        firms.clean_company_name("x" * 201)
    assert long.value.key == "notices.company_too_long"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"company": "Acme", "tax_id": "04595257"}, firms.ProfileDraft("Acme", "04595257")),
        ({"company": "Acme"}, firms.ProfileDraft("Acme", None)),  # before the 統一編號 step
        ({}, firms.ProfileDraft()),  # as an older version's setdefault left it
        (None, firms.ProfileDraft()),
        ({"company": 7, "tax_id": None}, firms.ProfileDraft()),
    ],
)
def test_the_profile_draft_reads_the_shapes_older_versions_stored(
    stored: object, expected: firms.ProfileDraft
) -> None:
    assert firms.ProfileDraft.from_dict(stored) == expected
    assert firms.ProfileDraft.from_dict(expected.to_dict()) == expected


def test_a_saved_profile_is_what_the_next_profile_conversation_starts_from(db: Database) -> None:
    with db.transaction() as session:
        person_id = add_firm(session, 91, []).id
    assert db.call(firms.current_profile, person_id=person_id) == firms.ProfileDraft()
    db.call(
        firms.save_profile, person_id=person_id, profile=firms.ProfileDraft("Acme", "04595257")
    )
    assert db.call(firms.current_profile, person_id=person_id) == firms.ProfileDraft(
        "Acme", "04595257"
    )


@pytest.mark.parametrize("raw", ["00000000", "0000 0000", "0000-0000"])
def test_a_tax_id_of_zeros_passes_the_check_sum_but_is_refused(raw: str) -> None:
    with pytest.raises(UserError) as refused:
        firms.clean_tax_id(raw)
    assert refused.value.key == "notices.tax_id_zero"


def test_control_characters_leave_a_company_name() -> None:
    assert firms.clean_company_name("Acme\x00 Trading\x07\u200b Co.\x7f") == "Acme Trading Co."
    with pytest.raises(UserError) as refused:
        firms.clean_company_name("\x00\u200b\x1b")
    assert refused.value.key == "notices.company_empty"
