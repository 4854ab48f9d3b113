"""Public results: published days only, the filters, paging, bidder numbers never names, the
public bid ladder, CSV and JSON downloads. History: tests/auction/resultskit.py."""

from __future__ import annotations

import csv
import io
import json

from tests.auction import resultskit
from tests.auction.resultskit import D1, D2, WALK_IN_NAMES


async def get(client, **params):
    r = await client.get("/api/results", params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_only_published_days_are_public(db, client) -> None:
    h = await resultskit.build(db)
    body = await get(client, per_page=100)
    assert body["total"] == 8
    # LED-50's second day is only submitted: L5's round 2 is not public yet.
    assert h.rounds["L5"][1] not in {x["round_id"] for x in body["items"]}
    assert h.rounds["L5"][0] in {x["round_id"] for x in body["items"]}
    # Newest day first.
    assert [x["sale_date"] for x in body["items"]][:2] == [D2.isoformat()] * 2


async def test_results_by_office_and_date(db, client) -> None:
    h = await resultskit.build(db)
    body = await get(client, office=h.offices["LED-10-1"], date=D1.isoformat())
    got = {x["lot_id"]: x["status"] for x in body["items"]}
    assert got == {h.lots["L1"]: "no_bidder", h.lots["L2"]: "sold", h.lots["L3"]: "suspended",
                   h.lots["L4"]: "withdrawn"}  # fmt: skip
    # Thai dates with Thai digits work as well as ISO.
    same = await get(client, office=str(h.offices["LED-10-1"]), date="๑๕/๐๙/๒๕๖๙")
    assert same["total"] == 4


async def test_results_by_red_case_province_type_and_outcome(db, client) -> None:
    h = await resultskit.build(db)
    assert (await get(client, red="ผบ 1234/63"))["total"] == 6
    cnx = await get(client, red="พ.๕๕/๒๕๖๕")
    assert {x["lot_id"] for x in cnx["items"]} == {h.lots["L5"], h.lots["L6"]}
    assert (await get(client, province="50"))["total"] == 2
    assert {x["lot_id"] for x in (await get(client, type="001"))["items"]} == {h.lots["L4"]}
    sold = await get(client, outcome="sold")
    assert sorted(x["sold_price"] for x in sold["items"]) == [800_000, 1_200_000, 1_500_000]
    assert (await get(client, **{"from": D2.isoformat()}))["total"] == 2


async def test_a_sold_lot_shows_prices_ratio_bidders_and_the_ladder_without_names(db, client) -> None:
    h = await resultskit.build(db)
    r = await client.get("/api/results", params={"outcome": "sold", "date": D2.isoformat()})
    (x,) = r.json()["items"]
    assert x["round_id"] == h.rounds["L1"][1] and x["round_no"] == 2
    assert (x["appraisal"], x["start_price"], x["sold_price"]) == (1_600_000, 1_440_000, 1_500_000)
    assert x["ratio_to_appraisal"] == 0.9375 and x["bidder_count"] == 3 and x["winner_bidder_no"] == 7
    assert x["sale_status"] == "awaiting"
    # The undone bid (3 at 1,490,000) is not on the public ladder.
    assert [(b["bidder_no"], b["amount"]) for b in x["bids"]] == [
        (3, 1_440_000), (7, 1_460_000), (5, 1_480_000), (7, 1_500_000)]  # fmt: skip
    assert x["office"]["en"] == "Bangkok Civil Enforcement Office 1" and x["red_number"] == "ผบ.1234/2563"
    everything = (await client.get("/api/results", params={"per_page": 100})).text
    assert not any(name in everything for name in WALK_IN_NAMES)
    assert "registration" not in everything and "walk_in" not in everything


async def test_paging_reports_the_total(db, client) -> None:
    await resultskit.build(db)
    first, second = await get(client, per_page=5), await get(client, per_page=5, page=2)
    assert (first["total"], len(first["items"]), len(second["items"])) == (8, 5, 3)
    assert not {x["round_id"] for x in first["items"]} & {x["round_id"] for x in second["items"]}
    r = await client.get("/api/results", params={"per_page": 5, "page": 3})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "page_past_end")


async def test_csv_and_json_downloads_hold_every_matching_row(db, client) -> None:
    h = await resultskit.build(db)
    r = await client.get("/api/results.csv", params={"office": h.offices["LED-10-1"], "lang": "en"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 6
    sold = next(x for x in rows if x["round_no"] == "2" and x["status"] == "sold")
    assert (sold["sold_price"], sold["bidder_count"], sold["winner_bidder_no"]) == ("1500000", "3", "7")
    assert sold["bids"] == "3:1440000 7:1460000 5:1480000 7:1500000"
    assert sold["office"] == "Bangkok Civil Enforcement Office 1"
    r = await client.get("/api/results.json", params={"outcome": "no_bidder"})
    body = json.loads(r.content)
    assert body["total"] == len(body["items"]) == 3


async def test_bad_filters_are_400_with_the_parameter(db, client) -> None:
    for params, code in [({"red": "hello"}, "malformed_case_number"), ({"date": "31/02/2569"}, "bad_date"),
                         ({"office": "x"}, "bad_office"), ({"province": "1"}, "bad_province"),
                         ({"type": "car"}, "bad_type"), ({"outcome": "maybe"}, "bad_outcome"),
                         ({"per_page": "1000"}, "bad_per_page")]:  # fmt: skip
        r = await client.get("/api/results", params=params)
        assert (r.status_code, r.json()["error"]["code"]) == (400, code), params


def test_a_csv_cell_that_a_spreadsheet_would_read_as_a_formula_is_kept_as_text() -> None:
    from auction import results

    item = {
        "sale_date": "2026-12-03", "office": {"th": "=HYPERLINK(\"x\")", "en": "x"}, "red_number": "ผบ.1/2563",
        "sale_order": "=1+1", "lot_id": 1, "round_no": 1, "province": {"th": "@SUM(A1)", "en": "x"},
        "property_type": "003", "status": "sold", "reason_code": None, "appraisal": 1, "start_price": 1,
        "sold_price": None, "ratio_to_appraisal": None, "bidder_count": None, "winner_bidder_no": None,
        "sale_status": None, "bids": [],
    }  # fmt: skip
    row = results.to_csv([item]).splitlines()[1]
    assert "'=1+1" in row and "'=HYPERLINK" in row and "'@SUM(A1)" in row
