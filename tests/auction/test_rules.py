import datetime as dt

import pytest

from auction import rules

P = rules.policy_for(dt.date(2026, 11, 23))


@pytest.mark.parametrize(
    ("appraisal", "deposit"),
    [
        (0, 5_000), (100_000, 5_000), (100_001, 10_000), (200_000, 10_000), (200_001, 25_000),
        (500_000, 25_000), (500_001, 50_000), (1_000_000, 50_000), (1_000_001, 150_000),
        (3_000_000, 150_000), (3_000_001, 250_000), (5_000_000, 250_000), (5_000_001, 500_000),
        (10_000_000, 500_000), (10_000_001, 1_000_000), (900_000_000, 1_000_000),
    ],
)  # fmt: skip
def test_deposit_at_every_band_edge(appraisal: int, deposit: int) -> None:
    assert rules.deposit(appraisal, P) == deposit


def test_negative_appraisal_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.deposit(-1, P)


@pytest.mark.parametrize(
    ("appraisal", "expected"),
    [
        (1_000_000, 50_000),
        (1_000_001, 51_000),
        (1_019_999, 51_000),
        (1_020_001, 52_000),
        (10_000, 1_000),
        (1, 1_000),
    ],
)
def test_setoff_deposit_is_five_percent_rounded_up_to_a_thousand_capped_at_the_standard(
    appraisal: int, expected: int
) -> None:
    assert rules.setoff_deposit(appraisal, P) == expected


@pytest.mark.parametrize(
    ("step", "price"), [(0, 1_000_000), (1, 900_000), (2, 800_000), (3, 700_000), (4, 700_000), (7, 700_000)]
)
def test_start_price_steps_down_after_no_bidder_rounds(step: int, price: int) -> None:
    assert rules.start_price(1_000_000, step, P) == price


def test_start_price_rounds_up_to_whole_baht() -> None:
    assert rules.start_price(1_000_001, 1, P) == 900_001  # 900,000.9 -> 900,001


def test_base_price_prefers_committee_then_officer_then_executing() -> None:
    assert rules.base_price(3, 2, 1) == (3, "committee")
    assert rules.base_price(None, 2, 1) == (2, "officer")
    assert rules.base_price(None, None, 1) == (1, "executing")
    with pytest.raises(ValueError):
        rules.base_price(None, None, None)


@pytest.mark.parametrize(
    ("price", "inc"), [(0, 2_000), (999_999, 2_000), (1_000_000, 10_000), (50_000_000, 10_000)]
)
def test_default_increment_band_edges(price: int, inc: int) -> None:
    assert rules.default_increment(price, P) == inc


def test_balance_due_is_15_days_extendable_to_90() -> None:
    day = dt.date(2026, 11, 23)
    assert rules.balance_due(day, P) == dt.date(2026, 12, 8)
    assert rules.balance_due(day, P, extended_days=75) == day + dt.timedelta(days=90)
    with pytest.raises(ValueError):
        rules.balance_due(day, P, extended_days=76)


def test_policy_is_picked_by_effective_date() -> None:
    assert rules.policy_for(dt.date(2030, 1, 1)).effective_from <= dt.date(2030, 1, 1)
    # A date before every policy still gets the oldest one rather than failing.
    assert rules.policy_for(dt.date(1990, 1, 1)) == rules.POLICIES[0]


LIVE = rules.LiveLot(
    state="open", start_price=1_000_000, increment=10_000, current_price=None, current_bidder_no=None
)


def test_first_bid_must_reach_the_starting_price() -> None:
    assert rules.evaluate_bid(LIVE, 7, 999_999) == rules.BidRejected("bid_too_low", 1_000_000)
    assert rules.evaluate_bid(LIVE, 7, 1_000_000) == rules.BidAccepted(1_000_000)


def test_next_bid_must_add_the_increment() -> None:
    lot = rules.LiveLot("open", 1_000_000, 10_000, 1_000_000, 7)
    assert rules.evaluate_bid(lot, 8, 1_009_999) == rules.BidRejected("bid_too_low", 1_010_000)
    assert rules.evaluate_bid(lot, 8, 1_010_000) == rules.BidAccepted(1_010_000)


def test_bidder_cannot_outbid_themselves() -> None:
    lot = rules.LiveLot("open", 1_000_000, 10_000, 1_000_000, 7)
    assert rules.evaluate_bid(lot, 7, 2_000_000) == rules.BidRejected("already_highest")


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("hammered", "lot_closed"),
        ("passed", "lot_closed"),
        ("idle", "lot_not_open"),
        ("suspended", "lot_not_open"),
    ],
)
def test_no_bid_unless_open(state: str, code: str) -> None:
    lot = rules.LiveLot(state, 1_000_000, 10_000, None, None)
    assert rules.evaluate_bid(lot, 7, 5_000_000) == rules.BidRejected(code)


def test_eligibility_in_one_place() -> None:
    day = dt.date(2026, 11, 23)
    buyer = rules.Person("buyer", False, None, user_id=5)
    assert rules.eligibility_problem(buyer, day) is None
    assert rules.eligibility_problem(rules.Person("officer", True, None), day) == "led_staff_cannot_bid"
    assert rules.eligibility_problem(rules.Person("buyer", True, None), day) == "led_staff_cannot_bid"
    assert rules.eligibility_problem(buyer, day, conducting_officer_id=5) == "conducting_officer_cannot_bid"
    assert rules.eligibility_problem(rules.Person("buyer", False, day), day) == "bidder_barred"
    assert rules.eligibility_problem(rules.Person("buyer", False, day - dt.timedelta(days=1)), day) is None
    assert rules.eligibility_problem(rules.Person("public", False, None), day) == "login_required"
