"""Contact details: what patients type is normalised, and mistakes get a specific re-ask."""

from __future__ import annotations

import pytest

from bot.booking.contact import (
    Contact,
    ContactError,
    normalize_email,
    normalize_us_phone,
    parse_contact,
)
from bot.privacy import mask_contacts_in_text, mask_email, mask_phone


@pytest.mark.parametrize(
    "typed",
    [
        "(303) 555-0100",
        "303.555.0100",
        "303-555-0100",
        "3035550100",
        "+1 303 555 0100",
        "+13035550100",
        "1-303-555-0100",
        "1 (303) 555-0100",
        "  303 555 0100  ",
        "tel:+1-303-555-0100",
    ],
)
def test_us_phone_formats_normalise_to_e164(typed: str) -> None:
    assert normalize_us_phone(typed) == "+13035550100"


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("303-555-010", "has 9 digits; a US number has 10"),
        ("303-555-01000", "has 11 digits"),
        ("303 555 0100 12", "has 12 digits"),
        ("555-0100", "I also need the area code"),
        ("+1 303 555 010", "has 9 digits after +1"),
        ("+44 20 7946 0958", "only take US phone numbers"),
        ("303-555-CALL", "has letters in it"),
        ("303-555-0100 ext 12", "without the extension"),
        ("303#555#0100", "characters I can't use (#)"),
        ("013-555-0100", "area code (013) starts with 0"),
        ("113-555-0100", "area code (113) starts with 1"),
        ("911-555-0100", "911 isn't a US area code"),
        ("303-055-0100", "after the area code (055) start with 0"),
        ("", "didn't catch a phone number"),
    ],
)
def test_bad_phone_numbers_get_a_specific_reask(typed: str, expected_words: str) -> None:
    with pytest.raises(ContactError) as caught:
        normalize_us_phone(typed)
    assert expected_words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_nine_digit_message_is_the_one_from_the_issue() -> None:
    with pytest.raises(ContactError) as caught:
        normalize_us_phone("303555010")
    assert str(caught.value) == (
        "That phone number has 9 digits; a US number has 10 (like 303-555-0100). Please try again."
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("jane@example.com", "jane@example.com"),
        ("Jane.Doe@EXAMPLE.COM", "Jane.Doe@example.com"),
        ("  jane+pt@Mail.Example.org ", "jane+pt@mail.example.org"),
        ("mailto:jane@example.com", "jane@example.com"),
        ("<jane@example.com>", "jane@example.com"),
        ("jane@example.com.", "jane@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("jane@sub-domain.example.co.uk", "jane@sub-domain.example.co.uk"),
    ],
)
def test_valid_emails_normalise_domain_to_lower_case(typed: str, expected: str) -> None:
    assert normalize_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("jane@", "missing the part after @"),
        ("@example.com", "missing the part before @"),
        ("jane.example.com", "missing the @"),
        ("jane@@example.com", "more than one @"),
        ("jane@example", "needs a dot and an ending"),
        ("jane@example.c", "(.c) doesn't look complete"),
        ("jane@example.123", "(.123) doesn't look complete"),
        ("jane doe@example.com", "has a space in it"),
        ("jane,doe@example.com", "characters an address can't have (,)"),
        (".jane@example.com", "can't start or end with a dot"),
        ("jane..doe@example.com", "two dots in a row"),
        ("jane@exa_mple.com", "characters or dots an email address can't have"),
        ("jane@-example.com", "characters or dots an email address can't have"),
        ("jane@example..com", "characters or dots"),
        ("a" * 65 + "@example.com", "too long"),
        ("", "didn't catch an email address"),
    ],
)
def test_bad_emails_get_a_specific_reask(typed: str, expected_words: str) -> None:
    with pytest.raises(ContactError) as caught:
        normalize_email(typed)
    assert expected_words in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("303.555.0100", Contact("phone", "+13035550100")),
        ("jane@Example.com", Contact("email", "jane@example.com")),
        ("my email is jane@example.com", Contact("email", "jane@example.com")),
        ("email: jane@example.com", Contact("email", "jane@example.com")),
        ("it's jane@example.com.", Contact("email", "jane@example.com")),
        ("call me at (303) 555-0100 please", Contact("phone", "+13035550100")),
        ("my cell is 1 303 555 0100", Contact("phone", "+13035550100")),
    ],
)
def test_parse_contact_decides_by_at_sign_and_finds_it_in_a_sentence(
    typed: str, expected: Contact
) -> None:
    assert parse_contact(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("jane doe@example.com", "has a space in it"),
        ("jane @example.com", "has a space in it"),
        ("my number is 555-0100", "I also need the area code"),
        ("303-555-CALL", "has letters in it"),
        ("", "phone number or email"),
        ("jane@example", "needs a dot"),
    ],
)
def test_parse_contact_reasks_specifically(typed: str, expected_words: str) -> None:
    with pytest.raises(ContactError) as caught:
        parse_contact(typed)
    assert expected_words in str(caught.value)


def test_contact_masked_property() -> None:
    assert Contact("phone", "+13035550100").masked == "+1 ***-***-0100"
    assert Contact("email", "jane@example.com").masked == "j***@example.com"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+13035550100", "+1 ***-***-0100"),
        ("303-555-0100", "***-***-0100"),
        ("12345", "***45"),
        ("", "***"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("jane.doe@example.com", "j***@example.com"),
        ("j@example.com", "j***@example.com"),
        ("not-an-email", "***"),
    ],
)
def test_mask_email(value: str, masked: str) -> None:
    assert mask_email(value) == masked


def test_mask_contacts_in_free_text_hides_every_number_and_address() -> None:
    text = (
        "Jane Doe, (303) 555-0100 or +1 720.555.0199, mail jane.doe@example.com; "
        "back up: 4155550123. Mornings 9-11 are best."
    )
    masked = mask_contacts_in_text(text)
    for secret in ("555-0100", "720.555", "0199 ", "jane.doe@", "4155550123", "doe@example"):
        assert secret not in masked
    assert "+1 ***-***-0100" in masked
    assert "+1 ***-***-0199" in masked
    assert "j***@example.com" in masked
    assert "Mornings 9-11 are best." in masked


def test_mask_contacts_in_text_keeps_ordinary_text() -> None:
    text = "Low back pain for 3 weeks, worse after 2 hours sitting."
    assert mask_contacts_in_text(text) == text
    assert mask_contacts_in_text("") == ""


@pytest.mark.parametrize(
    ("text", "secret", "shown"),
    [
        ("call3035550123", "3035550123", "***-***-0123"),
        ("tel:3035550124x", "3035550124", "***-***-0124"),
        ("my number is 303-555-0125ok", "555-0125", "***-***-0125"),
        ("a++3035550126", "3035550126", "***26"),  # "+303..." is no +1 number
        ("id4155550127 and mail", "4155550127", "***-***-0127"),
    ],
)
def test_mask_contacts_in_text_masks_numbers_glued_to_letters(
    text: str, secret: str, shown: str
) -> None:
    masked = mask_contacts_in_text(text)
    assert secret not in masked
    assert shown in masked


@pytest.mark.parametrize(
    "text",
    [
        "Booking MEND-7K3Q9 confirmed",
        "Could I come 2026-11-25 09:00 or 11/26/2026 at 9:30?",
        "Pain 7/10 since 2024-03-01, worse after 45 minutes.",
    ],
)
def test_mask_contacts_in_text_keeps_references_and_dates(text: str) -> None:
    assert mask_contacts_in_text(text) == text


def test_a_date_next_to_a_phone_number_does_not_shield_it() -> None:
    masked = mask_contacts_in_text("2026-11-25 3035550128 or 11/25/2026,3035550129")
    assert "3035550128" not in masked and "3035550129" not in masked
    assert "2026-11-25" in masked


def test_phones_are_shown_to_patients_in_the_national_format() -> None:
    from bot.booking.contact import display_contact, format_phone_national

    assert format_phone_national("+13035550123") == "(303) 555-0123"
    assert display_contact("+13035550123") == "(303) 555-0123"
    assert display_contact("jane@example.com") == "jane@example.com"
