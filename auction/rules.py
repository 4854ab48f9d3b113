"""Pure business rules: prices per round, deposits, increments, eligibility. No I/O, no clock.

Policy numbers (shared/domain.md [policy]) live in auction/data/policy.json, versioned by
effective date; functions take the policy in (or pick it by date) so rules stay testable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

_POLICY_FILE = Path(__file__).with_name("data") / "policy.json"


@dataclass(frozen=True)
class Policy:
    effective_from: dt.date
    round_start_pct: tuple[int, ...]  # round 1, 2, 3, 4+ (the last repeats)
    deposit_bands: tuple[tuple[int | None, int], ...]  # (appraisal upper bound incl., deposit)
    setoff_pct: int
    setoff_round_to: int
    increment_bands: tuple[tuple[int | None, int], ...]  # (price upper bound excl., increment)
    balance_days: int
    balance_days_max: int
    default_bar_days: int


def _load() -> tuple[Policy, ...]:
    raw = json.loads(_POLICY_FILE.read_text(encoding="utf-8"))["policies"]
    out = [
        Policy(
            effective_from=dt.date.fromisoformat(p["effective_from"]),
            round_start_pct=tuple(p["round_start_pct"]),
            deposit_bands=tuple((b[0], b[1]) for b in p["deposit_bands"]),
            setoff_pct=p["setoff_pct"],
            setoff_round_to=p["setoff_round_to"],
            increment_bands=tuple((b[0], b[1]) for b in p["increment_bands"]),
            balance_days=p["balance_days"],
            balance_days_max=p["balance_days_max"],
            default_bar_days=p["default_bar_days"],
        )
        for p in raw
    ]
    return tuple(sorted(out, key=lambda p: p.effective_from))


POLICIES = _load()


def policy_for(day: dt.date) -> Policy:
    applicable = [p for p in POLICIES if p.effective_from <= day]
    return applicable[-1] if applicable else POLICIES[0]


# --- prices ----------------------------------------------------------------------------------


def base_price(committee: int | None, officer: int | None, executing: int | None) -> tuple[int, str]:
    """The committee's price if present, else the appraisal officer's, else the executing officer's."""
    for value, source in ((committee, "committee"), (officer, "officer"), (executing, "executing")):
        if value is not None and value > 0:
            return value, source
    raise ValueError("a lot needs at least one appraisal")


def start_price(base: int, price_step: int, policy: Policy) -> int:
    """Starting price after `price_step` rounds that ended with no bidder (0 = round 1 price).

    Suspended rounds do not step the price, so the step is counted by the caller from outcomes,
    not from the round number. Rounded up to whole baht.
    """
    if price_step < 0:
        raise ValueError("price_step must be >= 0")
    pct = policy.round_start_pct[min(price_step, len(policy.round_start_pct) - 1)]
    return -(-base * pct // 100)


def deposit(appraisal: int, policy: Policy) -> int:
    """Standard deposit by appraisal band (upper bounds inclusive)."""
    if appraisal < 0:
        raise ValueError("appraisal must be >= 0")
    for upper, amount in policy.deposit_bands:
        if upper is None or appraisal <= upper:
            return amount
    raise AssertionError("policy has no open-ended deposit band")  # pragma: no cover


def setoff_deposit(appraisal: int, policy: Policy) -> int:
    """Reduced deposit for those entitled to set off their claim: pct of appraisal, rounded up,
    and never above the standard deposit (it is the *lower* deposit: on a ฿90M lot 5 % would be
    ฿4.5M against a ฿1M standard one)."""
    raw = -(-appraisal * policy.setoff_pct // 100)
    step = policy.setoff_round_to
    return min(-(-raw // step) * step, deposit(appraisal, policy))


def default_increment(price: int, policy: Policy) -> int:
    for upper, inc in policy.increment_bands:
        if upper is None or price < upper:
            return inc
    raise AssertionError("policy has no open-ended increment band")  # pragma: no cover


def balance_due(hammer_day: dt.date, policy: Policy, extended_days: int = 0) -> dt.date:
    days = policy.balance_days + extended_days
    if days > policy.balance_days_max:
        raise ValueError(f"balance may be extended to {policy.balance_days_max} days at most")
    return hammer_day + dt.timedelta(days=days)


# --- the live lot (e-Offering) -------------------------------------------------------------


@dataclass(frozen=True)
class LiveLot:
    state: str  # idle|open|hammered|passed|suspended
    start_price: int
    increment: int
    current_price: int | None
    current_bidder_no: int | None


@dataclass(frozen=True)
class BidAccepted:
    amount: int


@dataclass(frozen=True)
class BidRejected:
    code: str
    min_amount: int | None = None


def min_next_bid(lot: LiveLot) -> int:
    if lot.current_price is None:
        return lot.start_price
    return lot.current_price + lot.increment


def evaluate_bid(lot: LiveLot, bidder_no: int, amount: int) -> BidAccepted | BidRejected:
    """The server's authority on a bid's amount: first bid >= start, then >= current + increment,
    no outbidding oneself, nothing unless the lot is open."""
    if lot.state in ("hammered", "passed"):
        return BidRejected("lot_closed")
    if lot.state != "open":
        return BidRejected("lot_not_open")
    if lot.current_bidder_no is not None and lot.current_bidder_no == bidder_no:
        return BidRejected("already_highest")
    need = min_next_bid(lot)
    if amount < need:
        return BidRejected("bid_too_low", min_amount=need)
    return BidAccepted(amount)


# --- eligibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    role: str  # public|buyer|officer|admin
    is_led_staff: bool
    barred_until: dt.date | None
    user_id: int | None = None


def eligibility_problem(
    person: Person, today: dt.date, conducting_officer_id: int | None = None
) -> str | None:
    """Why this person may not register or bid, or None. One place for every rule:
    LED staff and officers never (CCC s.511, LED ethics); a defaulter is barred for a period."""
    if person.role in ("officer", "admin") or person.is_led_staff:
        return "led_staff_cannot_bid"
    if conducting_officer_id is not None and person.user_id == conducting_officer_id:
        return "conducting_officer_cannot_bid"
    if person.barred_until is not None and today <= person.barred_until:
        return "bidder_barred"
    if person.role != "buyer":
        return "login_required"
    return None
