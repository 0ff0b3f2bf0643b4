"""Addresses as stored and link tokens."""

from __future__ import annotations

import base64

import pytest

from bot.mail.addresses import new_token, normalise_address, token_hash
from kernel.errors import UserError


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Chen.Mei@Example.COM ", "chen.mei@example.com"),
        ("a+tag@mail.example.org.tw", "a+tag@mail.example.org.tw"),
        ("user@例子.台灣", "user@xn--fsqu00a.xn--kpry57d"),
    ],
)
def test_an_address_is_stored_in_one_form(raw: str, stored: str) -> None:
    assert normalise_address(raw) == stored


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "mail.address_empty"),
        ("no-at-sign.example.com", "mail.address_invalid"),
        ("two@@example.com", "mail.address_invalid"),
        ("dots..twice@example.com", "mail.address_invalid"),
        ("nodomain@localhost", "mail.address_invalid"),
        ("space in@example.com", "mail.address_invalid"),
        ("a@" + "b" * 250 + ".com", "mail.address_too_long"),
    ],
)
def test_a_bad_address_is_refused_in_one_sentence(raw: str, key: str) -> None:
    with pytest.raises(UserError) as caught:
        normalise_address(raw)
    assert caught.value.key == key


def test_a_token_has_at_least_128_random_bits_and_only_its_hash_is_kept() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    token = tokens.pop()
    assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert token not in token_hash(token)
