"""Results and ratings name lots as a person would (case number, lot number, type, place), never
by an internal id; large counts carry thousands separators (issue 19)."""

import re

from tests.auction import regkit, resultskit, winkit
from tests.auction.test_registration_pages import login


async def test_results_name_each_lot_by_case_lot_number_type_and_place(db, client) -> None:
    h = await resultskit.build(db)
    html = (await client.get("/results", params={"office": h.offices["LED-10-1"], "lang": "th"})).text
    assert "ผบ.1234/2563 · ลำดับที่ " in html and " · ห้องชุด · กรุงเทพมหานคร" in html
    assert not re.search(r">#\d+</a>", html), "a lot is named by its database id"
    en = (await client.get("/results", params={"lang": "en"})).text
    assert "ผบ.1234/2563 · lot " in en and "Condominium unit · Bangkok" in en


async def test_ratings_name_the_lot_and_not_its_id(db, client) -> None:
    w = await regkit.build(db)
    await winkit.registered(db, w)
    await login(client, "b1@x.test")
    page = (await client.get("/account/ratings?lang=th")).text
    assert "ผบ.1234/2563 · ลำดับที่ 1 · ห้องชุด ลุมพินี พระราม 9 · ห้วยขวาง กรุงเทพมหานคร" in page
    assert f"#{w.lot}" not in page


async def test_a_winner_finds_their_sale_page_from_the_result(db, client) -> None:
    w = await regkit.build(db)
    reg_id = await winkit.won(db, w)
    from auction.models import Sale, SaleRound

    async with db.begin() as s:  # publish the day so the result is public
        from sqlalchemy import select

        from auction import public_record
        from auction.models import SaleDay

        rnd = await s.get(SaleRound, w.round1)
        s.add(SaleDay(office_id=rnd.office_id, sale_date=rnd.sale_date, status="published"))
        await s.flush()
        await public_record.copy_published(s)
        sale_id = await s.scalar(select(Sale.id).where(Sale.registration_id == reg_id))
    await login(client, "b1@x.test")
    assert f'href="/account/sales/{sale_id}"' in (await client.get("/results")).text
    await login(client, "b2@x.test")
    assert f'href="/account/sales/{sale_id}"' not in (await client.get("/results")).text


async def test_counts_have_thousands_separators(db, client) -> None:
    from auction.web import templates

    env = templates.env
    assert env.from_string("{{ 1234567|num }} {{ 12.5|num }} {{ none|num }}").render() == "1,234,567 12.5 "


async def test_the_lot_list_separates_thousands_in_its_count(db, client) -> None:
    from sqlalchemy import insert

    from auction.models import Lot
    from tests import factories as f

    async with db.begin() as s:
        case = await f.make_case(s)
        lot = await f.make_lot(s, case)
        base = {c.name: getattr(lot, c.name) for c in Lot.__table__.columns if c.name != "id"}
        await s.execute(insert(Lot), [{**base, "sale_order": f"x{i}"} for i in range(1200)])
    html = (await client.get("/lots")).text
    assert "1,201 รายการ" in html
