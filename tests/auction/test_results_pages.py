"""The results, statistics, sale-day and rating pages: Thai first, English switch, BE dates,
charts drawn inline (no script, no CDN), forms that act and refuse."""

from __future__ import annotations

import re

from sqlalchemy import select

from auction import csrf
from auction.models import Rating, SaleDay
from tests.auction import resultskit
from tests.auction.test_saleday import world


async def test_results_page_in_thai_with_be_dates_and_the_ladder(db, client) -> None:
    h = await resultskit.build(db)
    r = await client.get("/results", params={"office": h.offices["LED-10-1"], "date": "2026-10-06"})
    assert r.status_code == 200
    html = r.text
    assert "ผลการขาย" in html and "06/10/2569" in html and "฿1,500,000" in html
    assert "ลำดับการเสนอราคา" in html and "(94% ของราคาประเมิน)" in html
    assert not any(name in html for name in resultskit.WALK_IN_NAMES)
    en = (await client.get("/results", params={"outcome": "sold", "lang": "en"})).text
    assert "Sold for" in en and "06/10/2026" in en
    bad = await client.get("/results", params={"red": "???", "lang": "th"})
    assert bad.status_code == 400 and "หมายเลขคดีไม่ถูกต้อง" in bad.text


async def test_results_index_lists_published_days(db, client) -> None:
    await resultskit.build(db)
    html = (await client.get("/results")).text
    assert "วันขายที่ประกาศผลล่าสุด" in html
    assert html.count("15/09/2569") >= 2  # both offices' first day


async def test_stats_page_draws_svg_charts_and_a_table(db, client) -> None:
    await resultskit.build(db)
    r = await client.get("/stats", params={"group": "fy"})
    assert r.status_code == 200
    html = r.text
    assert (
        html.count("<svg") == 4
        and "<script" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert "ปีงบประมาณ 2569" in html and "60%" in html and "฿3,500,000" in html
    assert re.search(r"<th scope=\"row\">ปีงบประมาณ 2570</th><td>2</td><td>1</td><td>50%</td>", html)
    en = (await client.get("/stats", params={"group": "office", "lang": "en"})).text
    assert "Sell-through" in en and "Chiang Mai Provincial Legal Execution Office" in en
    assert (await client.get("/stats", params={"group": "x"})).status_code == 400


async def test_sale_day_page_runs_the_two_step_publish(db, client) -> None:
    w = await world(db)
    a1, a2 = w["h"]["a1"], w["h"]["a2"]
    params = {"office": w["office"], "date": w["day"].isoformat()}
    page = await client.get("/officer/sale-day", params=params, headers=a1)
    assert page.status_code == 200 and "บันทึกผลการขาย" in page.text
    form = {**params, "outcome": "no_bidder"}
    for rid in w["rounds"]:
        r = await client.post("/officer/sale-day/outcome", data={**form, "round_id": rid}, headers=a1)
        assert r.status_code == 303
    r = await client.post("/officer/sale-day/submit", data=params, headers=a1)
    assert r.status_code == 303
    refused = await client.post("/officer/sale-day/approve", data=params, headers=a1)
    assert refused.status_code == 403 and "ต้องให้เจ้าพนักงานอีกคนหนึ่งเป็นผู้อนุมัติ" in refused.text
    assert (await client.post("/officer/sale-day/approve", data=params, headers=a2)).status_code == 303
    async with db() as s:
        assert (await s.scalar(select(SaleDay))).status == "published"
    assert (
        "ประกาศผลการขายของวันนี้แล้ว" in (await client.get("/officer/sale-day", params=params, headers=a2)).text
    )
    # Not for buyers; the public is sent to log in.
    assert (await client.get("/officer/sale-day", params=params, headers=w["h"]["buyer"])).status_code == 403
    assert (await client.get("/officer/sale-day", params=params)).status_code == 303


async def test_cookie_forms_need_the_csrf_token(db, client) -> None:
    w = await world(db)
    token = w["h"]["a1"]["authorization"].split()[1]
    client.cookies.set("sid", token)
    params = {
        "office": w["office"],
        "date": w["day"].isoformat(),
        "round_id": w["rounds"][0],
        "outcome": "no_bidder",
    }
    r = await client.post("/officer/sale-day/outcome", data=params)
    assert r.status_code == 403 and "csrf" in r.text
    good = csrf.token_for_session("test", token)
    r = await client.post("/officer/sale-day/outcome", data={**params, "csrf": good})
    assert r.status_code == 303


async def test_rating_page_and_satisfaction_page(db, client) -> None:
    from tests.auction.test_ratings import world as rating_world

    (reg, _), _, h = await rating_world(db)
    assert 'href="/account/ratings"' in (await client.get("/account", headers=h["buyer"])).text
    assert 'href="/officer/sale-day"' in (await client.get("/account", headers=h["officer"])).text
    page = await client.get("/account/ratings", headers=h["buyer"])
    assert page.status_code == 200 and "การลงทะเบียนและวางหลักประกัน" in page.text
    r = await client.post("/account/ratings/rate", data={"service": "registration", "subject_id": reg, "score": "4",
                                                          "comment": "ดีมาก"}, headers=h["buyer"])  # fmt: skip
    assert r.status_code == 303
    again = await client.post("/account/ratings/rate", data={"service": "registration", "subject_id": reg,
                                                              "score": "4"}, headers=h["buyer"])  # fmt: skip
    assert again.status_code == 409 and "ท่านให้คะแนนบริการนี้แล้ว" in again.text
    async with db() as s:
        assert len(list(await s.scalars(select(Rating)))) == 1
    sat = await client.get("/officer/satisfaction", headers=h["officer"])
    assert sat.status_code == 200 and "<svg" in sat.text and "ดีมาก" in sat.text and "4.0" in sat.text
    assert (await client.get("/officer/satisfaction", headers=h["buyer"])).status_code == 403


async def test_stats_headline_agrees_with_its_table_and_says_why_rows_add_up_to_more(db, client) -> None:
    """Issue 19: the headline said 5 lots offered, the per-year rows 4 + 2. A lot offered in both
    fiscal years is in each year's row and once in the headline: the table ends with the headline's
    own total row and says how many lots are in more than one row."""
    await resultskit.build(db)
    html = (await client.get("/stats", params={"group": "fy"})).text
    tiles = re.search(r'<ul class="tiles".*?</ul>', html, re.S)
    assert tiles and re.search(r"<span>นำออกขาย</span><b>5</b>", tiles.group(0))
    assert re.search(r'<tfoot><tr><th scope="row">รวม</th><td>5</td><td>3</td><td>60%</td>', html)
    assert "ทรัพย์ 1 รายการนำออกขายในมากกว่าหนึ่งกลุ่ม" in html
    en = (await client.get("/stats", params={"group": "fy", "lang": "en"})).text
    assert re.search(r'<tfoot><tr><th scope="row">Total</th><td>5</td>', en)
    assert "1 lot was offered in more than one" in en
    # The headline says which period it covers.
    assert "ภาพรวม: ทุกปีงบประมาณที่ประกาศผลแล้ว" in html
    assert (
        "Totals: Fiscal year 2570" in (await client.get("/stats", params={"fy": "2570", "lang": "en"})).text
    )
    # Grouped by office, no lot is in two rows: no note.
    by_office = (await client.get("/stats", params={"group": "office"})).text
    assert "มากกว่าหนึ่งกลุ่ม" not in by_office and "<tfoot>" in by_office
