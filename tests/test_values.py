"""Unit tests for the plan's value types: durations, dates, phones, ids, templates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.model import PLACEHOLDERS
from generator.values import (
    BadValue,
    check_template,
    describe,
    did_you_mean,
    fill_template,
    format_duration,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_email,
    parse_id,
    parse_phone,
)

TODAY = date(2026, 11, 25)


# -- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d 2h", timedelta(days=1, hours=2)),
        ("4H", timedelta(hours=4)),
        (0, timedelta(0)),
        ("0", timedelta(0)),
        ("0m", timedelta(0)),
    ],
)
def test_duration(written: object, expected: timedelta) -> None:
    assert parse_duration(written) == expected


@pytest.mark.parametrize("written", ["4 hours", "30", 30, "h", "", "1.5h", "-1h", True, None, [1], "4h30"])
def test_bad_duration_says_how_to_write_one(written: object) -> None:
    with pytest.raises(BadValue) as bad:
        parse_duration(written)
    assert "not a duration" in bad.value.message
    assert "`30m`" in bad.value.hint and "`0`" in bad.value.hint


@given(st.integers(min_value=0, max_value=60 * 24 * 400))
def test_format_duration_is_the_inverse_of_parse(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert parse_duration(format_duration(value)) == value


# -- dates and times --------------------------------------------------------------------------


def test_date() -> None:
    assert parse_date("2026-10-01", TODAY) == date(2026, 10, 1)
    assert parse_date("2026-11-25", TODAY) == TODAY  # today is not the future


@pytest.mark.parametrize(
    "written", ["2026-13-01", "2026-02-30", "01/10/2026", "2026-1-5", "yesterday", 20261001, True, None, ""]
)
def test_bad_date(written: object) -> None:
    with pytest.raises(BadValue) as bad:
        parse_date(written, TODAY)
    assert "is not a date" in bad.value.message
    assert "YYYY-MM-DD" in bad.value.hint


def test_future_date_is_refused_unless_allowed() -> None:
    with pytest.raises(BadValue) as bad:
        parse_date("2026-11-26", TODAY)
    assert "in the future" in bad.value.message and "2026-11-25" in bad.value.message
    assert parse_date("2027-01-31", TODAY, allow_future=True) == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-06-03T09:10", datetime(2026, 6, 3, 9, 10)),
        ("2026-06-03 09:10", datetime(2026, 6, 3, 9, 10)),
        ("2026-06-03T09:10:30", datetime(2026, 6, 3, 9, 10, 30)),
    ],
)
def test_datetime(written: str, expected: datetime) -> None:
    assert parse_datetime(written, TODAY) == expected


@pytest.mark.parametrize("written", ["9:10", "2026-06-03", "2026-06-03T25:00", "2026-06-03T9:10", 910])
def test_bad_datetime(written: object) -> None:
    with pytest.raises(BadValue) as bad:
        parse_datetime(written, TODAY)
    assert "not a date and time" in bad.value.message


def test_future_datetime() -> None:
    with pytest.raises(BadValue, match="in the future"):
        parse_datetime("2026-11-26T00:00", TODAY)


# -- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "GB", "+442079460958"),
        ("02079460958", "GB", "+442079460958"),  # a leading zero kept as text by the loader
        ("0808 157 0140", "GB", "+448081570140"),
        ("(212) 555-0147", "US", "+12125550147"),
        ("212-555-0147", "US", "+12125550147"),
        ("030 12345678", "DE", "+493012345678"),
        ("+49 30 12345678", "GB", "+493012345678"),  # another country's number, with its + code
        ("03-1234-5678", "JP", "+81312345678"),
        ("22 12 34 56", "NO", "+4722123456"),
        ("412 34 567", "NO", "+4741234567"),
        ("+47 22 12 34 56", "US", "+4722123456"),
    ],
)
def test_phone_is_stored_as_e164(written: str, region: str, e164: str) -> None:
    phone = parse_phone(written, region, "work")
    assert phone.e164 == e164
    assert phone.tel_uri == f"tel:{e164}"
    # Shown in international format: the same number, readable, starting with its + code.
    assert phone.display.startswith("+") and " " in phone.display
    assert phonenumbers.parse(phone.display).national_number == phonenumbers.parse(e164).national_number
    assert phone.label == "work"


def test_phone_with_extension() -> None:
    phone = parse_phone("0808 157 0140", "GB", "24x7", "2")
    assert (phone.e164, phone.ext) == ("+448081570140", "2")
    assert phone.tel_uri == "tel:+448081570140;ext=2"
    assert phone.display_full == f"{phone.display} ext. 2"
    assert parse_phone("0808 157 0140", "GB", ext=12).tel_uri == "tel:+448081570140;ext=12"


def test_extension_written_in_the_number() -> None:
    phone = parse_phone("020 7946 0958 ext. 214", "GB")
    assert (phone.e164, phone.ext, phone.tel_uri) == ("+442079460958", "214", "tel:+442079460958;ext=214")


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("020 7946 095", "GB"),  # a digit short
        ("07700 900123", "GB"),  # Ofcom's drama range: not a real mobile number
        ("(212) 555-0147", "GB"),  # a US number without its +1
        ("555-0147", "US"),
        ("hello", "GB"),
        ("", "GB"),
    ],
)
def test_invalid_phone(written: str, region: str) -> None:
    with pytest.raises(BadValue) as bad:
        parse_phone(written, region)
    assert bad.value.hint


def test_phone_without_region_needs_a_country_code() -> None:
    with pytest.raises(BadValue, match="no country code"):
        parse_phone("020 7946 0958", "")
    assert parse_phone("+44 20 7946 0958", "").e164 == "+442079460958"


@pytest.mark.parametrize("ext", ["option 2", "2#", "-2"])
def test_bad_extension(ext: str) -> None:
    with pytest.raises(BadValue, match="digits only"):
        parse_phone("0808 157 0140", "GB", ext=ext)


# -- ids, emails, templates, messages ------------------------------------------------------------


def test_id() -> None:
    assert parse_id("fibrelink-manager", "contact") == "fibrelink-manager"
    with pytest.raises(BadValue) as bad:
        parse_id("Tom Okafor", "contact")
    assert "not a valid contact id" in bad.value.message
    assert bad.value.hint == "write it as `tom-okafor`"
    for wrong in ("-tom", "tom_okafor", "", 12, None):
        with pytest.raises(BadValue):
            parse_id(wrong, "contact")


def test_email() -> None:
    assert parse_email(" tom@example.com ") == "tom@example.com"
    for wrong in ("tom@", "tom", "tom@example", "mailto:tom@example.com", "a b@example.com", 5):
        with pytest.raises(BadValue, match="not an email address"):
            parse_email(wrong)


def test_templates() -> None:
    every = " ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    check_template(every)
    check_template("Literal braces {{like this}} are fine.")
    assert fill_template("Back by {eta}, {unknown}.", {"eta": "10:00"}) == "Back by 10:00, {unknown}."


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Back by {eta_time}", "unknown placeholder `{eta_time}`"),
        ("Back by {}", "unknown placeholder `{}`"),
        ("Back by {0}", "unknown placeholder `{0}`"),
        ("Back by {eta", "unbalanced"),
        ("Back by eta}", "unbalanced"),
        ("At {time:%H:%M}", "more than a name"),
        ("At {time!r}", "more than a name"),
    ],
)
def test_bad_template(template: str, message: str) -> None:
    with pytest.raises(BadValue, match=message.replace("{", r"\{").replace("}", r"\}")):
        check_template(template)


def test_did_you_mean_and_describe() -> None:
    assert did_you_mean("depnds_on", ["depends_on", "owner"]) == "did you mean `depends_on`?"
    assert did_you_mean("OWNER", ["depends_on", "owner"]) == "did you mean `owner`?"
    assert did_you_mean("zzz", ["depends_on", "owner"]) == ""
    assert describe(None) == "empty"
    assert describe(True) == "`true` (true/false)"
    assert describe(4) == "the number `4`"
    assert describe([1]) == "a list"
    assert describe("x" * 80).endswith("…`")


@pytest.mark.parametrize("digits", ["3", "0"])
def test_a_number_too_short_for_any_country_is_a_bad_value(digits: str) -> None:
    """Found by the property tests: libphonenumber refuses to parse "3" at all, in any region."""
    with pytest.raises(BadValue, match="not a valid phone number"):
        parse_phone(digits, "GB")
