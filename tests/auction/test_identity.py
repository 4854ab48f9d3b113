import datetime as dt

import pytest

from auction.identity import (
    IdentityError,
    affidavit_problem,
    parse_any_id,
    parse_bank_account,
    parse_juristic_no,
    parse_passport,
    parse_phone,
    parse_thai_id,
    thai_id_check_digit,
)


def make_id(first12: str) -> str:
    return first12 + str(thai_id_check_digit(first12))


def test_check_digit_matches_a_hand_computed_example() -> None:
    # 1-1017-00207-03-?: weights 13..2 give 1*13+1*12+0*11+1*10+7*9+0*8+0*7+2*6+0*5+7*4+0*3+3*2 = 144;
    # 144 % 11 = 1, (11 - 1) % 10 = 0.
    assert thai_id_check_digit("110170020703") == 0
    assert parse_thai_id("1101700207030") == "1101700207030"


def test_thai_id_accepts_thai_digits_dashes_and_spaces() -> None:
    assert parse_thai_id("๑-๑๐๑๗-๐๐๒๐๗-๐๓-๐") == "1101700207030"
    assert parse_thai_id(" 1 1017 00207 03 0 ") == "1101700207030"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("1101700207031", "bad_thai_id_check_digit"),
        ("110170020703", "bad_thai_id"),
        ("11017002070300", "bad_thai_id"),
        ("0101700207030", "bad_thai_id"),
        ("1101700207O30", "bad_thai_id"),
        ("", "bad_thai_id"),
    ],
)
def test_thai_id_refusals_have_stable_codes(raw: str, code: str) -> None:
    with pytest.raises(IdentityError) as exc:
        parse_thai_id(raw)
    assert exc.value.code == code


def test_every_wrong_last_digit_is_refused() -> None:
    good = make_id("350990012345")
    wrong = [good[:12] + str(d) for d in range(10) if str(d) != good[12]]
    for w in wrong:
        with pytest.raises(IdentityError):
            parse_thai_id(w)
    assert parse_thai_id(good) == good


def test_juristic_passport_phone_and_bank_account() -> None:
    assert parse_juristic_no("0-1055-12345-67-8") == "0105512345678"
    with pytest.raises(IdentityError):
        parse_juristic_no("01055123456")
    assert parse_passport("aa 123456") == "AA123456"
    for bad in ("A1", "AB#12345", "X" * 21):
        with pytest.raises(IdentityError):
            parse_passport(bad)
    assert parse_phone("+66 81 234 5678") == "0812345678" and parse_phone("๐๒-๑๒๓-๔๕๖๗") == "021234567"
    assert parse_bank_account("123-4-56789-0") == "1234567890"
    with pytest.raises(IdentityError):
        parse_bank_account("12345")


def test_principal_ids_are_told_apart() -> None:
    assert parse_any_id("1101700207030") == ("thai_id", "1101700207030")
    assert parse_any_id("0105512345678") == ("juristic", "0105512345678")
    assert parse_any_id("AA1234567") == ("passport", "AA1234567")


def test_affidavit_must_be_within_one_month() -> None:
    today = dt.date(2026, 3, 31)
    assert affidavit_problem(dt.date(2026, 2, 28), today) is None  # Feb has no 31st: its last day counts
    assert affidavit_problem(dt.date(2026, 2, 27), today).code == "affidavit_expired"
    assert affidavit_problem(dt.date(2026, 4, 1), today).code == "affidavit_in_future"
    assert affidavit_problem(dt.date(2025, 12, 15), dt.date(2026, 1, 15)) is None
    assert affidavit_problem(dt.date(2025, 12, 14), dt.date(2026, 1, 15)).code == "affidavit_expired"
