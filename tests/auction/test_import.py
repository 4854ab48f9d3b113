import pytest
from sqlalchemy import func, select

from auction.importer import ImportFailed, import_csv, template_row, to_csv
from auction.models import Case, Lot, SaleRound


async def count(s, model) -> int:
    return await s.scalar(select(func.count()).select_from(model))


async def test_good_file_loads_cases_lots_and_six_rounds(db) -> None:
    rows = [
        template_row(),
        template_row(sale_order="2", red_case="ผบ ๑๒๓๔/๖๓", property_type="3", area_sqm="", area_rai="1",
                     area_ngan="2", area_wah="๓๐.๕", appraisal_committee="", appraisal_officer="4,000,000",
                     lat="", lon="", round_dates="12/01/2570;02/02/2570"),
    ]  # fmt: skip
    async with db.begin() as s:
        report = await import_csv(s, to_csv(rows))
    assert (report.cases, report.lots) == (1, 2)  # both rows are the same case, typed two ways
    async with db() as s:
        assert await count(s, Case) == 1
        lots = list(await s.scalars(select(Lot).order_by(Lot.sale_order)))
        assert [x.base_price for x in lots] == [1_600_000, 4_000_000]
        assert [x.deposit for x in lots] == [150_000, 250_000]
        assert lots[1].area_sqm == (400 + 200 + 30.5) * 4
        assert lots[1].geo_precision == "district"  # no coordinates given: district centre, labelled so
        prices = list(
            await s.scalars(
                select(SaleRound.start_price)
                .where(SaleRound.lot_id == lots[0].id)
                .order_by(SaleRound.round_no)
            )
        )
        assert prices == [1_600_000, 1_440_000, 1_280_000, 1_120_000, 1_120_000, 1_120_000]


async def test_bad_row_is_reported_by_line_and_nothing_is_loaded(db) -> None:
    rows = [
        template_row(),
        template_row(sale_order="2", red_case="not a case"),
        template_row(sale_order="3", district_code="5001"),
    ]
    with pytest.raises(ImportFailed) as err:
        async with db.begin() as s:
            await import_csv(s, to_csv(rows))
    lines = [n for n, _ in err.value.report.errors]
    assert lines == [3, 4]
    assert "red_case" in err.value.report.errors[0][1]
    async with db() as s:
        assert await count(s, Lot) == 0 and await count(s, Case) == 0


async def test_duplicate_in_file_and_on_file_are_refused(db) -> None:
    async with db.begin() as s:
        await import_csv(s, to_csv([template_row()]))
    with pytest.raises(ImportFailed) as err:
        async with db.begin() as s:
            await import_csv(
                s, to_csv([template_row(sale_order="9"), template_row(sale_order="9"), template_row()])
            )
    msgs = dict(err.value.report.errors)
    assert "duplicate of line 2" in msgs[3]
    assert "already on file" in msgs[4]
    async with db() as s:
        assert await count(s, Lot) == 1


async def test_missing_columns_and_empty_file(db) -> None:
    async with db.begin() as s:
        with pytest.raises(ImportFailed, match="missing columns"):
            await import_csv(s, "a,b\n1,2\n")
        with pytest.raises(ImportFailed, match="no rows"):
            await import_csv(s, to_csv([template_row()]).splitlines()[0] + "\n")
