"""Every fact of a lot on its page as a first-time buyer reads it (issue 19): a condo's size, unit
and floor; a mortgage carried over with who holds it and for how much; the nearest stations; a
closed lot that says so and no longer offers pre-registration; counts with thousands separators."""

import datetime as dt
import json
import re

from auction import display
from auction.db import utcnow
from auction.outcomes import record_outcome
from auction.registration import today
from tests import factories as f
from tests.auction import regkit, winkit


def test_num_puts_thousands_separators_and_drops_a_trailing_zero() -> None:
    assert display.num(1234567) == "1,234,567"
    assert display.num(35.5) == "35.5" and display.num(12.0) == "12" and display.num(None) == ""
    assert display.num(1234.567, 0) == "1,235" and display.num("12345") == "12,345"


def test_area_reads_as_rai_ngan_wah_for_land_and_square_metres_unit_floor_for_a_condo() -> None:
    land = {"area": {"rai": 1, "ngan": 2, "wah": 35.0, "sqm": 2540.0}}
    assert display.area(land, "th") == "1 ไร่ 2 งาน 35 ตร.วา"
    assert display.area(land, "en") == "1 rai 2 ngan 35 sq. wah"
    condo = {"area": {"sqm": 35.5, "unit_number": "99/123", "floor": "12"}}
    assert display.area(condo, "th") == "35.5 ตร.ม. · ห้องเลขที่ 99/123 · ชั้น 12"
    assert display.area(condo, "en") == "35.5 m² · unit 99/123 · floor 12"
    assert "--" not in display.area({"area": {"sqm": 1250.0}}, "th")


async def lots(db) -> dict:
    async with db.begin() as s:
        case = await f.make_case(s)
        condo = await f.make_lot(s, case, first_date=today() + dt.timedelta(days=7), unit_number="99/123",
                                 floor="12", encumbrance="mortgage", mortgagee="ธนาคารออมสิน",
                                 mortgage_amount=1_250_000)  # fmt: skip
        land = await f.make_lot(s, case, sale_order="2", property_type="001", area_sqm=None, area_rai=1,
                                area_ngan=2, area_wah=35.0, condo_name=None)  # fmt: skip
        return {"condo": condo.id, "land": land.id, "case": case.red_key}


async def test_a_condo_shows_square_metres_unit_and_floor_everywhere_and_land_rai_ngan_wah(
    db, client
) -> None:
    ids = await lots(db)
    page = (await client.get(f"/lots/{ids['condo']}")).text
    assert "35.5 ตร.ม. · ห้องเลขที่ 99/123 · ชั้น 12" in page and "--" not in page
    assert "1 ไร่ 2 งาน 35 ตร.วา" in (await client.get(f"/lots/{ids['land']}")).text
    listing = (await client.get("/lots")).text
    assert "35.5 ตร.ม. · ห้องเลขที่ 99/123" in listing and "1 ไร่ 2 งาน 35 ตร.วา" in listing
    hits = (await client.get("/search?province=10")).text
    assert "35.5 ตร.ม. · ห้องเลขที่ 99/123" in hits and "--" not in hits
    case = (await client.get(f"/cases?red={ids['case']}", follow_redirects=True)).text
    en = (await client.get(f"/cases?red={ids['case']}&lang=en", follow_redirects=True)).text
    assert "35.5 m² · unit 99/123 · floor 12" in en
    assert "1 ไร่ 2 งาน 35 ตร.วา" in case
    body = (await client.get(f"/api/lots/{ids['condo']}")).json()
    assert body["area"] == {"sqm": 35.5, "unit_number": "99/123", "floor": "12"}


async def test_a_lot_sold_subject_to_mortgage_names_the_mortgagee_the_amount_and_explains_it(
    db, client
) -> None:
    ids = await lots(db)
    page = (await client.get(f"/lots/{ids['condo']}")).text
    assert "ธนาคารออมสิน" in page and "฿1,250,000" in page
    assert "ผู้ซื้อได้ทรัพย์ไปพร้อมภาระจำนอง" in page
    en = (await client.get(f"/lots/{ids['condo']}?lang=en")).text
    assert "Mortgagee" in en and "the mortgage stays on the property" in en
    free = (await client.get(f"/lots/{ids['land']}")).text
    assert "ผู้รับจำนอง" not in free and "ผู้ซื้อได้ทรัพย์ไปพร้อมภาระจำนอง" not in free


async def test_the_lot_page_shows_the_nearest_stations_and_walk_time(db, client) -> None:
    ids = await lots(db)  # 13.757, 100.565: by MRT Phra Ram 9
    body = (await client.get(f"/api/lots/{ids['condo']}")).json()
    assert body["stations"], "the lot has stations within reach in lot_station"
    first = body["stations"][0]
    assert first["distance_m"] == min(s["distance_m"] for s in body["stations"])
    assert len(body["stations"]) <= 3 and {"th", "en", "code", "line", "walk_min"} <= set(first)
    page = (await client.get(f"/lots/{ids['condo']}")).text
    assert first["th"] in page and f"เดินประมาณ {first['walk_min']} นาที" in page
    en = (await client.get(f"/lots/{ids['condo']}?lang=en")).text
    assert first["en"] in en and f"about {first['walk_min']} min walk" in en


async def close(db, lot_id: int, outcome: str, **kw) -> None:
    from sqlalchemy import select

    from auction.models import SaleRound

    async with db.begin() as s:
        rnd = await s.scalar(select(SaleRound).where(SaleRound.lot_id == lot_id, SaleRound.round_no == 1))
        await record_outcome(s, rnd.id, outcome, actor_id=None, now=utcnow(), **kw)


async def test_a_sold_lot_shows_a_sold_banner_and_offers_no_pre_registration(db, client) -> None:
    w = await regkit.build(db)
    await winkit.won(db, w, price=1_700_000)
    page = (await client.get(f"/lots/{w.lot}")).text
    assert 'class="closed-banner sold"' in page and "ขายได้แล้ว" in page and "฿1,700,000" in page
    assert f"/lots/{w.lot}/register" not in page
    en = (await client.get(f"/lots/{w.lot}?lang=en")).text
    assert "Sold</b> on" in en and "no longer open for registration" in en


async def test_withdrawn_and_unsold_lots_say_so_and_offer_no_pre_registration(db, client) -> None:
    ids = await lots(db)
    await close(db, ids["condo"], "withdrawn", reason_code="seizure_withdrawn")
    page = (await client.get(f"/lots/{ids['condo']}?lang=en")).text
    assert 'class="closed-banner withdrawn"' in page and "seizure was withdrawn" in page
    assert f"/lots/{ids['condo']}/register" not in page
    async with db.begin() as s:
        case = await f.make_case(s, red="ผบ.55/2566")
        one = await f.make_lot(s, case, rounds=1, first_date=today() + dt.timedelta(days=3))
    await close(db, one.id, "no_bidder", bidder_count=0)
    page = (await client.get(f"/lots/{one.id}?lang=th")).text
    assert 'class="closed-banner ended"' in page and "ไม่มีนัดขายเหลือ" in page
    assert f"/lots/{one.id}/register" not in page
    still = (await client.get(f"/lots/{ids['land']}")).text
    assert f"/lots/{ids['land']}/register" in still and "closed-banner" not in still


async def test_a_lot_whose_last_round_was_suspended_says_so(db, client) -> None:
    async with db.begin() as s:
        case = await f.make_case(s, red="ผบ.56/2566")
        one = await f.make_lot(s, case, rounds=1, first_date=today() + dt.timedelta(days=3))
    await close(db, one.id, "suspended", reason_code="court_order")
    en = (await client.get(f"/lots/{one.id}?lang=en")).text
    assert 'class="closed-banner ended"' in en and "the last round" in en and "was suspended" in en
    assert f"/lots/{one.id}/register" not in en
    assert (await client.get(f"/api/lots/{one.id}")).json()["closed"]["last_outcome"] == "suspended"


async def test_untrusted_lot_text_is_escaped_in_sizes_mortgage_and_names(db, client) -> None:
    async with db.begin() as s:
        case = await f.make_case(s, red="ผบ.57/2566")
        lot = await f.make_lot(s, case, unit_number="<b>9</b>", floor="<i>2</i>", encumbrance="mortgage",
                               mortgagee="<script>x()</script>", condo_name="<img src=x> `${1}`")  # fmt: skip
    page = (await client.get(f"/lots/{lot.id}")).text
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page
    assert "<b>9</b>" not in page and "&lt;b&gt;9&lt;/b&gt;" in page and "<img src=x>" not in page
    # The map's tooltip is a JSON string of escaped text (never folium's JS template literal, where
    # a backtick or ${ would run): decoded, it is the escaped name, so Leaflet shows it as text.
    tips = [json.loads(m) for m in re.findall(r'bindTooltip\(("(?:[^"\\]|\\.)*")', page)]
    assert any("&lt;img src=x&gt; `${1}`" in tip for tip in tips), tips
