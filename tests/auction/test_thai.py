import datetime as dt

from auction import thai
from auction.privacy import mask_name


def test_thai_digits_are_numbers() -> None:
    assert thai.parse_int("๑,๒๓๔,๕๖๗") == 1234567
    assert thai.parse_int("฿ 2,000") == 2000
    assert thai.parse_int("12.5") is None
    assert thai.parse_int("abc") is None
    assert thai.parse_float("๑๒.๕") == 12.5
    assert thai.parse_float("nan") is None


def test_dates_show_buddhist_era_in_thai_and_ce_in_english() -> None:
    d = dt.date(2026, 11, 23)
    assert thai.format_date(d, "th") == "23/11/2569"
    assert thai.format_date(d, "en") == "23/11/2026"
    assert thai.format_date("2026-11-23", "th") == "23/11/2569"
    # 18:30 UTC is already the next day in Bangkok.
    assert thai.format_datetime(dt.datetime(2026, 11, 23, 18, 30, tzinfo=dt.UTC), "th") == "24/11/2569 01:30"


def test_money_and_fiscal_year() -> None:
    assert thai.format_baht(1234567) == "฿1,234,567"
    assert thai.format_baht(12.5) == "฿12.50"
    assert thai.fiscal_year_be(dt.date(2023, 10, 1)) == 2567
    assert thai.fiscal_year_be(dt.date(2024, 9, 30)) == 2567


def test_public_names_are_initials_but_banks_stay() -> None:
    assert mask_name("นายสมชาย ใจดี") == "ส. จ."
    assert mask_name("ธนาคารออมสิน") == "ธนาคารออมสิน"
    assert mask_name("") == ""
