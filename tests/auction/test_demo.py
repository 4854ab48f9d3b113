"""The demo generator leaves a published history behind it: every past day with decided rounds is a
published sale day (so /results and /stats show something), and nothing today or later is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from auction import demo
from auction.models import PublicResult, SaleDay, SaleRound, User

TODAY = dt.date(2026, 11, 23)


async def held_days(s) -> set[tuple[int, dt.date]]:
    rows = await s.execute(
        select(SaleRound.office_id, SaleRound.sale_date)
        .where(SaleRound.status.in_(("sold", "no_bidder", "suspended", "withdrawn")))
        .distinct()
    )
    return set(rows.all())


async def test_demo_publishes_every_past_day_with_decided_rounds_and_nothing_else(db) -> None:
    async with db.begin() as s:
        await demo.generate(s, 300, seed=7, today=TODAY)
    async with db() as s:
        days = await held_days(s)
        published = set(
            (
                await s.execute(
                    select(SaleDay.office_id, SaleDay.sale_date).where(SaleDay.status == "published")
                )
            ).all()
        )
        assert days and published == days
        assert max(d for _, d in published) < TODAY
        # No published day still has a round waiting for its outcome.
        undecided = await s.scalar(
            select(func.count())
            .select_from(SaleRound)
            .join(
                SaleDay,
                (SaleDay.office_id == SaleRound.office_id) & (SaleDay.sale_date == SaleRound.sale_date),
            )
            .where(SaleRound.status == "scheduled")
        )
        assert undecided == 0
        # Every decided round of those days is in the public record.
        decided = await s.scalar(
            select(func.count())
            .select_from(SaleRound)
            .where(SaleRound.status.not_in(("scheduled", "cancelled")))
        )
        assert decided and await s.scalar(select(func.count()).select_from(PublicResult)) == decided


async def test_demo_data_appended_twice_does_not_duplicate_sale_days(db) -> None:
    async with db.begin() as s:
        await demo.generate(s, 150, seed=1, today=TODAY)
    async with db.begin() as s:
        await demo.generate(s, 150, seed=2, today=TODAY)
    async with db() as s:
        total = await s.scalar(select(func.count()).select_from(SaleDay))
        assert total == len(await held_days(s))


async def test_demo_officers_prepared_and_approved_their_office_history(db) -> None:
    async with db.begin() as s:
        await demo.generate(s, 300, seed=7, today=TODAY)
        await demo.demo_accounts(s, TODAY)
    async with db() as s:
        ids = {u.email: u.id for u in await s.scalars(select(User))}
        mine = list(await s.scalars(select(SaleDay).where(SaleDay.submitted_by.is_not(None))))
        assert mine, "the demo office should have a published history"
        for sd in mine:
            assert (sd.submitted_by, sd.approved_by) == (ids["officer@demo.test"], ids["officer2@demo.test"])
            assert sd.submitted_by != sd.approved_by


async def test_demo_cli_puts_the_room_on_bangkoks_date_not_the_servers(db, database_url, monkeypatch) -> None:
    from auction import registration
    from auction.__main__ import _demo
    from auction.models import Registration

    # 18:00 UTC on the 23rd is 01:00 on the 24th in Bangkok.
    monkeypatch.setattr(registration, "utcnow", lambda: dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC))
    await _demo(database_url, 200, False, 7)
    async with db() as s:
        days = set(
            await s.scalars(
                select(SaleRound.sale_date)
                .join(Registration, Registration.round_id == SaleRound.id)
                .join(User, User.id == Registration.user_id)
                .where(User.email == "buyer@demo.test")
            )
        )
    assert days == {dt.date(2026, 11, 24)}


async def test_lots_and_cases_written_after_the_demo_get_fresh_ids(db) -> None:
    """The demo writes its own ids (COPY on PostgreSQL): the id sequences must move past them, or
    the next import collides with demo lot 1."""
    from auction.importer import import_csv, template_row, to_csv
    from auction.models import Case, Lot

    async with db.begin() as s:
        await demo.generate(s, 40, seed=3, today=TODAY)
    async with db.begin() as s:
        report = await import_csv(s, to_csv([template_row(red_case="ผบ.99999/2568")]))
    assert report.lots == 1
    async with db() as s:
        case = await s.scalar(select(Case).where(Case.red_key == "ผบ.99999/2568"))
        lot = await s.scalar(select(Lot).where(Lot.case_id == case.id))
        assert lot.id == 41 and case.id == await s.scalar(select(func.max(Case.id)))


async def prices(s, where) -> list[int]:
    from auction.models import Lot

    return sorted(await s.scalars(select(Lot.base_price).where(where)))


async def test_demo_prices_follow_type_and_province_with_a_thin_tail(db) -> None:
    """Issue 19: 19 % of demo lots started above ฿100 M. Bangkok condos sit around 1-5 M,
    provincial land lower still, and only a thin tail passes 100 M."""
    from auction.models import Lot

    async with db.begin() as s:
        await demo.generate(s, 3000, seed=19, today=TODAY)
    async with db() as s:
        every = await prices(s, Lot.id > 0)
        bkk_condo = await prices(s, (Lot.province_code == "10") & Lot.property_type.in_(("002", "004")))
        rural_land = await prices(s, Lot.province_code.not_in(demo.METRO) & (Lot.property_type == "001"))
        bkk_land = await prices(s, (Lot.province_code == "10") & (Lot.property_type == "001"))

    def median(xs: list[int]) -> int:
        return xs[len(xs) // 2]

    assert sum(p > 100_000_000 for p in every) / len(every) < 0.01
    assert sum(p > 20_000_000 for p in every) > 0, "a tail of dear lots remains"
    assert 1_000_000 <= median(bkk_condo) <= 5_000_000
    middle = bkk_condo[len(bkk_condo) // 10 : -len(bkk_condo) // 10]
    assert middle[0] >= 500_000 and middle[-1] <= 8_000_000
    assert median(rural_land) < 1_000_000 and median(rural_land) < median(bkk_land) / 5
    async with db() as s:
        areas = list(await s.scalars(select(Lot.area_sqm).where(Lot.property_type.in_(("002", "004")))))
    assert max(areas.count(a) for a in set(areas)) < len(areas) * 0.02, "no pile of units at one size"
    assert min(areas) >= 18


def test_demo_prices_are_deterministic_for_a_seed() -> None:
    import random

    draw = [
        demo.condo_price(random.Random(5), "10", 30.0),
        demo.land_price(random.Random(5), "003", "50", 60),
    ]
    again = [
        demo.condo_price(random.Random(5), "10", 30.0),
        demo.land_price(random.Random(5), "003", "50", 60),
    ]
    assert draw == again


async def test_every_demo_lot_has_a_tambon_of_its_own_district(db) -> None:
    """Issue 19: the ตำบล/แขวง filter matched nothing, as no demo lot had a tambon."""
    import geothai

    from auction.models import Lot

    async with db.begin() as s:
        await demo.generate(s, 200, seed=7, today=TODAY)
    async with db() as s:
        rows = (await s.execute(select(Lot.district_code, Lot.tambon))).all()
    assert rows
    for district, tambon in rows:
        assert tambon in {t.name_th for t in geothai.subdistricts(district)}
