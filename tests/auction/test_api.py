from tests import factories as f


async def seed(db) -> dict:
    async with db.begin() as s:
        case = await f.make_case(s)
        lot = await f.make_lot(s, case)
        lot2 = await f.make_lot(s, case, sale_order="2", property_type="001", area_sqm=None, area_rai=1,
                                area_ngan=0, area_wah=50.0, condo_name=None)  # fmt: skip
        return {"case": case.id, "lot": lot.id, "lot2": lot2.id}


async def test_one_lot_with_case_schedule_prices_and_deposit(db, client) -> None:
    ids = await seed(db)
    r = await client.get(f"/api/lots/{ids['lot']}")
    assert r.status_code == 200
    body = r.json()
    assert body["case"]["red_number"] == "ผบ.1234/2563"
    assert body["deposit"] == 150_000 and body["deposit_setoff"] == 80_000
    assert [x["start_price"] for x in body["schedule"]] == [
        1_600_000,
        1_440_000,
        1_280_000,
        1_120_000,
        1_120_000,
        1_120_000,
    ]
    assert body["district"]["en"] == "Huai Khwang"
    # Personal data stays private on the public API.
    assert body["case"]["defendant"] == "ส. จ." and "สมชาย" not in r.text


async def test_lot_list_is_paged_with_total(db, client) -> None:
    await seed(db)
    r = await client.get("/api/lots?per_page=1&page=๒")
    assert r.status_code == 200
    assert r.json()["total"] == 2 and len(r.json()["items"]) == 1 and r.json()["page"] == 2
    r = await client.get("/api/lots?per_page=1&page=3")
    assert r.status_code == 404 and r.json()["error"]["code"] == "page_past_end"


async def test_case_by_red_number_in_any_spelling(db, client) -> None:
    ids = await seed(db)
    for typed in ("ผบ.1234/2563", "ผบ ๑๒๓๔/๖๓", "ผบ1234/63"):
        r = await client.get("/api/cases", params={"red": typed})
        assert r.status_code == 200, typed
        assert [x["id"] for x in r.json()["items"][0]["lots"]] == [ids["lot"], ids["lot2"]]


async def test_not_found_and_malformed_are_4xx_with_stable_codes(db, client) -> None:
    await seed(db)
    cases = [
        ("/api/lots/999999", 404, "lot_not_found"),
        ("/api/lots/abc", 400, "malformed_id"),
        ("/api/lots/-1", 400, "malformed_id"),
        ("/api/lots/99999999999999999999", 400, "malformed_id"),
        ("/api/cases?red=ผบ.1/2500", 404, "case_not_found"),
        ("/api/cases?red=hello", 400, "malformed_case_number"),
        ("/api/cases", 400, "missing_parameter"),
        ("/api/lots?per_page=0", 400, "bad_per_page"),
        ("/api/lots?page=x", 400, "bad_page"),
        ("/nope", 404, "not_found"),
    ]
    for url, status, code in cases:
        r = await client.get(url)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), url
        assert r.json()["error"]["message"]["th"] and r.json()["error"]["message"]["en"]


async def test_pages_render_in_thai_and_english(db, client) -> None:
    ids = await seed(db)
    r = await client.get(f"/lots/{ids['lot']}")
    assert r.status_code == 200 and "ราคาเริ่มต้น" in r.text and "23/11/2569" in r.text
    r = await client.get(f"/lots/{ids['lot']}?lang=en")
    assert "Starting price" in r.text and "23/11/2026" in r.text
    assert r.cookies.get("lang") == "en"
    r = await client.get("/lots")
    assert r.status_code == 200 and "ลุมพินี" in r.text
