"""The shared input layer (auction.inputs, issue 18 'Low'): hostile numbers, nesting, types, lengths
and NUL bytes are a 4xx with the stable JSON error at every kind of entry point, and change nothing."""

from __future__ import annotations

import json

import pytest

from auction.inputs import MAX_DEPTH, json_depth
from auction.thai import parse_int
from tests.auction import regkit
from tests.statekit import fingerprint

HUGE = "9" * 25  # beyond 64 bits
THOUSANDS = "1" * 5000  # beyond Python's int-conversion limit too

QUERY_CASES = [
    ("/api/search/lots?price_min=" + HUGE, "bad_price"),
    ("/api/search/lots?price_max=" + THOUSANDS, "text_too_long"),
    ("/api/search/lots?price_min=" + "9" * 19, "bad_price"),
    ("/api/search/lots?area_min=1e400", "bad_area"),
    ("/api/search/lots?page=" + HUGE, "bad_page"),
    ("/api/search/lots?page=99999999999", "bad_page"),
    ("/api/search/lots?per_page=" + HUGE, "bad_per_page"),
    ("/api/lots?page=" + HUGE, "bad_page"),
    ("/api/search/cases/" + HUGE, "malformed_id"),
    ("/api/search/cases?q=" + "ผบ" * 200, "text_too_long"),
    ("/api/search/lots?tambon=" + "%25_" * 200, "text_too_long"),
    ("/api/search/lots?province=" + "ก" * 300, "text_too_long"),
    ("/api/search/lots?tambon=a%00b", "bad_text"),
    ("/api/search/cases?q=%E0%B8%9C%E0%B8%9A%00", "bad_text"),
    ("/api/search/transit?line=%00", "bad_text"),
    ("/api/stats?fy=" + HUGE, None),
    ("/cases?q=" + "1" * 300, "text_too_long"),
    ("/search?tambon=%00", "bad_text"),
]


@pytest.mark.parametrize(("url", "code"), QUERY_CASES)
async def test_hostile_query_parameter_is_a_4xx_with_the_json_error(db, client, engine, url, code) -> None:
    before = await fingerprint(engine)
    r = await client.get(url)
    assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:200])
    if code is not None:
        assert r.json()["error"]["code"] == code
        assert set(r.json()["error"]["message"]) == {"th", "en"}
    assert await fingerprint(engine) == before


async def test_a_long_next_page_after_login_is_not_refused(db, client) -> None:
    nxt = "/search?" + "&".join(
        f"p{i}=%E0%B8%81%E0%B8%A3%E0%B8%B8%E0%B8%87%E0%B9%80%E0%B8%97%E0%B8%9E" for i in range(8)
    )
    r = await client.get("/login", params={"next": nxt})
    assert r.status_code == 200 and len(nxt) > 256


def test_parse_int_refuses_beyond_64_bits_and_thousands_of_digits() -> None:
    assert parse_int("9223372036854775807") == 2**63 - 1
    assert parse_int("9223372036854775808") is None
    assert parse_int(HUGE) is None
    assert parse_int(THOUSANDS) is None  # not a ValueError from int()
    assert parse_int(10**30) is None
    assert parse_int("๑,๒๓๔") == 1234


def test_json_depth_is_counted_without_parsing() -> None:
    assert json_depth(b'{"a": "[[[[{{{{"}') == 1
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b"[" * 100_000) == 100_000


def deep(n: int) -> str:
    return '{"a":' * n + "1" + "}" * n


BODIES = [
    ("[" * 30_000 + "]" * 30_000, "json_too_deep"),  # a RecursionError in the parser, were it parsed
    (deep(MAX_DEPTH + 1), "json_too_deep"),
    ('{"email": "a@b.test", "password": ' + THOUSANDS + "}", "number_too_large"),
    ('{"email": "a@b.test", "password": ' + HUGE + "}", "number_too_large"),
    ('{"email": "a@b.test", "password": 1e999}', "number_too_large"),
    ('{"email": "a@b.test", "password": NaN}', "bad_json"),
    ('{"email": "a\\u0000@b.test", "password": "x"}', "bad_text"),
    ('{"email": "' + "a" * 5000 + '", "password": "x"}', "text_too_long"),
    ('{"email": {"$ne": 1}, "password": "x"}', "bad_field_type"),
    ('{"email": ["a@b.test"], "password": "x"}', "bad_field_type"),
    ("[1, 2]", "bad_json"),
    ('{"email": "a@b.test", "password": "x"', "bad_json"),
    ("\xff\xfe", "bad_json"),
]


@pytest.mark.parametrize(("body", "code"), BODIES, ids=range(len(BODIES)))
@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/signup"])
async def test_hostile_json_body_is_refused_before_authentication(
    db, client, engine, path, body, code
) -> None:
    before = await fingerprint(engine)
    r = await client.post(path, content=body.encode("utf-8", "surrogateescape"),
                          headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 400, r.text[:300]
    assert r.json()["error"]["code"] == code
    assert await fingerprint(engine) == before


async def test_a_body_beyond_the_size_limit_is_413(db, client) -> None:
    r = await client.post("/api/auth/login", content=b'{"a": "' + b"x" * 70_000 + b'"}',
                          headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    "field_values",
    [
        {"reason": 12345},
        {"reason": True},
        {"reason": None},
        {"reason": 1.5},
        {"reason": {"x": 1}},
        {"reason": ["x"]},
        {"reason": "x\u0000y"},
        {"reason": "x" * 10_000},
    ],
    ids=lambda v: type(v["reason"]).__name__ + str(len(str(v["reason"])))[:3],
)
async def test_officer_fields_of_the_wrong_type_are_a_4xx_and_change_nothing(
    db, client, engine, field_values
) -> None:
    w = await regkit.build(db)
    r = await client.post(
        f"/api/lots/{w.lot}/registrations", json={"round_id": w.round1}, headers=w.h("buyer")
    )
    assert r.status_code in (200, 201), r.text
    reg_id = r.json()["id"]
    before = await fingerprint(engine)
    r = await client.post(
        f"/api/officer/registrations/{reg_id}/reject", json=field_values, headers=w.h("officer")
    )
    assert 400 <= r.status_code < 500, r.text[:300]
    assert "error" in r.json()
    assert await fingerprint(engine) == before


@pytest.mark.parametrize(
    "over",
    [
        {"full_name": 5},
        {"full_name": {"a": 1}},
        {"phone": 812345678},
        {"id_no": 1101700207030},
        {"province_code": True},
        {"kind": ["individual"]},
        {"address": "99\u0000"},
        {"bank_account_no": int(HUGE)},
    ],
    ids=lambda v: next(iter(v)),
)
async def test_buyer_profile_fields_of_the_wrong_type_are_a_4xx(db, client, engine, over) -> None:
    w = await regkit.build(db)
    before = await fingerprint(engine)
    body = json.dumps(regkit.profile_form(**over))
    r = await client.put(
        "/api/me/profile", content=body, headers={**w.h("buyer"), "content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500, r.text[:300]
    assert "error" in r.json()
    assert await fingerprint(engine) == before


async def test_form_posts_with_nul_or_overlong_fields_are_refused(db, client, engine) -> None:
    before = await fingerprint(engine)
    for data in ({"email": "a\x00@b.test", "password": "x"}, {"email": "a@b.test", "password": "p" * 5000}):
        r = await client.post("/login", data=data)
        assert r.status_code == 400, r.text[:200]
        assert r.json()["error"]["code"] in ("bad_text", "text_too_long")
    assert await fingerprint(engine) == before


async def test_messages_name_the_field_by_its_label_never_its_key(db, client) -> None:
    r = await client.get("/api/search/lots?price_min=abc")
    msg = r.json()["error"]["message"]
    assert "price_min" not in msg["th"] and "price_min" not in msg["en"]
    assert "ราคาต่ำสุด" in msg["th"] and "minimum price" in msg["en"]
    r = await client.get("/api/search/lots?area_min=9&area_max=1")
    msg = r.json()["error"]["message"]
    assert "area" not in msg["th"] and "เนื้อที่" in msg["th"]
    r = await client.get("/api/search/lots?date_from=x")
    assert "date_from" not in json.dumps(r.json()["error"]["message"], ensure_ascii=False)
    r = await client.post("/api/auth/login", json={"email": 5, "password": "x"})
    assert r.json()["error"]["message"] == {"th": "อีเมล ต้องเป็นข้อความ", "en": "E-mail must be text"}
