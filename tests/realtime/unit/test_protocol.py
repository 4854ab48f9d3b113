"""The room's protocol parser, its command registry and its message builders, without an app,
a socket or a database (docs/protocol.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from auction.auth import PUBLIC, Principal
from realtime import protocol, service, views
from realtime.protocol import Command, ProtocolError

TODAY = dt.date(2026, 11, 23)


def parse(obj: object) -> Command:
    return protocol.parse(json.dumps(obj), service.COMMANDS)


def refused(frame: str | bytes) -> tuple[str, str | None]:
    with pytest.raises(ProtocolError) as exc:
        protocol.parse(frame, service.COMMANDS)
    return exc.value.code, exc.value.ref


def test_every_command_parses_into_its_typed_fields() -> None:
    assert parse({"type": "join", "v": 1, "last_seq": 7}).data == {"last_seq": 7, "token": None}
    assert parse({"type": "ping", "t": 1.5}).data == {"t": 1.5}
    assert parse({"type": "ping", "t": True}).data == {"t": None}  # only a number is echoed
    assert parse({"type": "bid", "amount": "๑,๖๐๐,๐๐๐", "key": " k1 "}).data == {
        "amount": 1_600_000, "key": "k1", "confirm": False}  # fmt: skip
    assert parse({"type": "floor_bid", "paddle": 98, "amount": 1_600_000, "key": "f", "confirm": True}).data == {
        "paddle": 98, "amount": 1_600_000, "key": "f", "confirm": True}  # fmt: skip
    assert parse({"type": "open_lot", "round_id": 3}).data == {"round_id": 3, "increment": None}
    assert parse({"type": "set_increment", "amount": "10,000"}).data == {"amount": 10_000}
    assert parse({"type": "count", "n": 2}).data == {"n": 2}
    assert parse({"type": "hammer"}).data == {}
    assert parse({"type": "pass"}).data == {}
    assert parse({"type": "suspend", "reason_code": "court_order"}).data == {
        "reason_code": "court_order", "reason": None}  # fmt: skip
    assert parse({"type": "undo", "reason": "slip"}).data == {"reason": "slip"}


@pytest.mark.parametrize(
    ("frame", "code", "ref"),
    [
        ("not json", "bad_message", None),
        ("[1, 2]", "bad_message", None),
        ("[" * 3000 + "]" * 3000, "bad_message", None),  # deeper than the JSON parser goes
        ('{"type": "bid", "amount": NaN, "key": "k"}', "bad_message", None),
        (b"\xff\xfe", "bad_message", None),
        ('{"type": 5}', "bad_message", "type"),
        ('{"type": "\\ud800"}', "bad_message", "type"),  # a lone surrogate: no UTF-8 frame carries it back
        ('{"type": "' + "x" * 60 + '"}', "unknown_type", "x" * 40),
        ('{"type": "bid", "v": 2}', "bad_version", "bid"),
        ('{"type": "bid", "amount": true, "key": "k"}', "bad_message", "amount"),
        ('{"type": "bid", "amount": 1000000000001, "key": "k"}', "bad_message", "amount"),
        ('{"type": "bid", "amount": "' + "1" * 41 + '", "key": "k"}', "bad_message", "amount"),
        ('{"type": "bid", "amount": 0, "key": "k"}', "bad_message", "amount"),
        ('{"type": "bid", "amount": 5}', "bad_message", "key"),
        ('{"type": "bid", "amount": 5, "key": "' + "k" * 65 + '"}', "bad_message", "key"),
        ('{"type": "bid", "amount": 5, "key": "a\\u0000b"}', "bad_message", "key"),
        ('{"type": "bid", "amount": 5, "key": "k", "confirm": 1}', "bad_message", "confirm"),
        ('{"type": "floor_bid", "paddle": 1000001, "amount": 5, "key": "k"}', "bad_message", "paddle"),
        ('{"type": "count", "n": 4}', "bad_message", "n"),
        ('{"type": "suspend", "reason_code": "bored"}', "bad_reason_code", "reason_code"),
        ('{"type": "suspend"}', "bad_message", "reason_code"),
        ('{"type": "undo", "reason": ""}', "reason_required", "reason"),
        ('{"type": "join", "last_seq": 2147483649}', "bad_message", "last_seq"),
    ],
)
def test_a_frame_the_parser_cannot_take_is_refused_with_a_stable_code(
    frame: str | bytes, code: str, ref: str | None
) -> None:
    assert refused(frame) == (code, ref)


def test_the_registry_holds_every_message_type_once_with_its_rules() -> None:
    assert service.COMMANDS.keys() == protocol.CLIENT_TYPES
    assert {k for k, s in service.COMMANDS.items() if s.handler is None} == {"join", "ping"}
    assert {k for k, s in service.COMMANDS.items() if s.batches} == {"bid", "floor_bid"}
    assert {k for k, s in service.COMMANDS.items() if s.receipt} == {"bid", "floor_bid"}
    officer = {k for k, s in service.COMMANDS.items() if s.who == "officer"}
    assert officer == {"open_lot", "set_increment", "floor_bid", "count", "hammer", "pass", "suspend", "undo"}


def test_a_refused_bid_is_a_receipt_with_its_key_and_anything_else_an_error() -> None:
    low = ProtocolError("bid_too_low", min_amount=1_610_000)
    assert service.refusal(Command("bid", {"amount": 5, "key": "k1", "confirm": False}), low) == {
        "type": "receipt", "key": "k1", "status": "rejected", "code": "bid_too_low",
        "message": protocol.message("bid_too_low"), "min_amount": 1_610_000}  # fmt: skip
    assert service.refusal(Command("count", {"n": 3}), ProtocolError("count_out_of_order")) == {
        "type": "error", "code": "count_out_of_order", "message": protocol.message("count_out_of_order"),
        "ref": "count"}  # fmt: skip


def test_receipts_and_standing_are_built_in_one_shape() -> None:
    assert protocol.accepted("k", 5, "t", 10, 3) == {
        "type": "receipt", "key": "k", "status": "accepted", "seq": 5, "at": "t", "amount": 10, "bid_id": 3}  # fmt: skip
    assert protocol.accepted("k", 5, "t", 10, 3, duplicate=True)["duplicate"] is True
    buyer = Principal(user_id=7, role="buyer")
    cases = [
        (PUBLIC, 1, None, (None, "login_required")),
        (buyer, None, None, (None, "lot_not_open")),
        (buyer, 1, None, (None, "not_approved")),
        (buyer, 1, ("confirmed", 4), (4, None)),
        (buyer, 1, ("refunded", 4), (4, "lot_not_open")),  # the lot closed; still their number
        (Principal(user_id=8, role="officer", office_id=1), 1, None, (None, "led_staff_cannot_bid")),
        (
            Principal(user_id=9, role="buyer", barred_until=TODAY),
            1,
            ("confirmed", 5),
            (None, "bidder_barred"),
        ),
    ]
    for who, round_id, registration, (bidder_no, reason) in cases:
        you = views.standing(who, TODAY, None, round_id, registration)
        assert you == {"role": who.role, "user_id": who.user_id, "bidder_no": bidder_no,
                       "can_bid": reason is None, "reason": reason}, (who, round_id, registration)  # fmt: skip
    assert views.standing(buyer, TODAY, 7, 1, ("confirmed", 4))["reason"] == "conducting_officer_cannot_bid"


def test_every_code_the_protocol_sends_has_thai_and_english_words() -> None:
    assert all(th and en and th != en for th, en in protocol.MESSAGES.values())
    assert protocol.closing("too_slow") == {"type": "closing", "code": "too_slow",
                                            "message": protocol.message("too_slow")}  # fmt: skip
    assert json.loads(protocol.dumps(protocol.pong(1, "now"))) == {"v": 1, "type": "pong", "t": 1,
                                                                   "server_time": "now"}  # fmt: skip
