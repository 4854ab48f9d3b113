"""Red case numbers: every spelling, partial numbers, near misses, the case page."""

import pytest

from tests.search.fixture import build

SAME_CASE = ["ผบ.1234/2563", "ผบ1234/2563", "ผบ 1234/63", "ผบ.๑๒๓๔/๒๕๖๓", " ผบ . 1234 / 2563 ", "ผบ1234/2020"]


@pytest.mark.parametrize("typed", SAME_CASE)
async def test_every_spelling_finds_the_same_case(db, client, typed: str) -> None:
    w = await build(db)
    r = await client.get("/api/search/cases", params={"q": typed})
    body = r.json()
    assert (body["match"], body["normalised"]) == ("exact", "ผบ.1234/2563")
    assert [c["id"] for c in body["items"]] == [w.ids["case_main"]]
    assert [x["id"] for x in body["items"][0]["lots"]] == [w.ids["land"], w.ids["house"]]


async def test_efiled_and_separate_fields(db, client) -> None:
    w = await build(db)
    for typed in ("ผบE750/2565", "ผบ.E.750/2565", "ผบ. E 750/65", "ผบe๗๕๐/๖๕"):
        r = await client.get("/api/search/cases", params={"q": typed})
        assert [c["id"] for c in r.json()["items"]] == [w.ids["case_efiled"]], typed
    r = await client.get("/api/search/cases", params={"prefix": "ผบ", "number": "๑๒๓๔", "year": "63"})
    assert [c["id"] for c in r.json()["items"]] == [w.ids["case_main"]]
    r = await client.get(
        "/api/search/cases", params={"prefix": "ผบ", "number": "750", "year": "2565", "efiled": "1"}
    )
    assert [c["id"] for c in r.json()["items"]] == [w.ids["case_efiled"]]


async def test_partial_number_lists_candidates(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/cases", params={"q": "ผบ 12"})
    body = r.json()
    assert body["match"] == "partial" and body["total"] == 2
    assert [c["red_number"] for c in body["items"]] == ["ผบ.1234/2563", "ผบ.1235/2563"]
    r = await client.get("/api/search/cases", params={"q": "1243/63"})
    assert [c["red_number"] for c in r.json()["items"]] == ["พ.1243/2563"]
    r = await client.get("/api/search/cases", params={"q": "7"})
    assert [c["red_number"] for c in r.json()["items"]] == ["ผบE.750/2565"]


async def test_no_match_says_so_and_suggests_near_misses(db, client) -> None:
    await build(db)
    r = await client.get("/api/search/cases", params={"q": "ผบ.1243/2563"})
    body = r.json()
    assert r.status_code == 200 and body["match"] == "none" and body["items"] == []
    assert body["message"]["th"].startswith("ไม่พบคดีหมายเลขแดง ผบ.1243/2563")
    # Same number under another prefix first, then the one-keystroke slip (3 and 4 swapped).
    assert [s["red_number"] for s in body["suggestions"]] == ["พ.1243/2563", "ผบ.1234/2563"]
    r = await client.get("/api/search/cases", params={"q": "ผบ.99999/2500"})
    assert r.json()["match"] == "none" and r.json()["suggestions"] == []


async def test_case_api_and_page_list_all_lots_with_each_rounds_status(db, client) -> None:
    w = await build(db)
    r = await client.get(f"/api/search/cases/{w.ids['case_main']}")
    lots = r.json()["lots"]
    assert [x["id"] for x in lots] == [w.ids["land"], w.ids["house"]]
    assert [x["status"] for x in lots[1]["schedule"]] == ["no_bidder"] + ["scheduled"] * 5
    assert r.json()["defendant"] == "ส. จ."  # personal data masked for the public
    page = await client.get(f"/cases/{w.ids['case_main']}")
    assert page.status_code == 200
    assert page.text.count("งดขายไม่มีผู้สู้ราคา") == 1 and page.text.count("รอขาย") == 11
    # A unique exact number goes straight to its case page; partial numbers list candidates.
    r = await client.get("/cases", params={"q": "ผบ 1234/63"})
    assert r.status_code == 302 and r.headers["location"] == f"/cases/{w.ids['case_main']}"
    r = await client.get("/cases", params={"q": "ผบ 12"})
    assert "ผบ.1234/2563" in r.text and "ผบ.1235/2563" in r.text
    r = await client.get("/cases", params={"q": "ผบ.1243/2563", "lang": "en"})
    assert "No case with red number ผบ.1243/2563" in r.text and f"/cases/{w.ids['case_main']}" in r.text
