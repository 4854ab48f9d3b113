"""Statistics on the fixed history of tests/auction/resultskit.py, against figures worked out by hand."""

from __future__ import annotations

import csv
import io

from auction import stats
from auction.results import Filters
from tests.auction import resultskit


def by_key(rows):
    return {r["key"]: r for r in rows}


def figures(r, *keys):
    return tuple(r[k] for k in keys)


MAIN = ("offered", "sold", "sell_through", "value_sold", "appraisal_sold", "ratio_to_appraisal", "avg_rounds_to_sale",
        "suspended", "withdrawn")  # fmt: skip


async def test_totals_match_the_hand_count(db) -> None:
    await resultskit.build(db)
    async with db() as s:
        total = await stats.totals(s, Filters())
    assert figures(total, *MAIN) == (5, 3, 0.6, 3_500_000, 3_400_000, 1.0294, 1.33, 1, 1)
    assert total["rounds_held"] == 6


async def test_fiscal_years_split_at_october(db) -> None:
    await resultskit.build(db)
    async with db() as s:
        rows = by_key(await stats.compute(s, "fy", Filters()))
        only_2570 = await stats.totals(s, Filters(), fy=2570)
    assert set(rows) == {2569, 2570}
    assert figures(rows[2569], *MAIN) == (4, 2, 0.5, 2_000_000, 1_800_000, 1.1111, 1.0, 1, 1)
    assert figures(rows[2570], *MAIN) == (2, 1, 0.5, 1_500_000, 1_600_000, 0.9375, 2.0, 0, 0)
    assert rows[2570]["label"] == {"th": "ปีงบประมาณ 2570", "en": "FY 2570 BE"}
    assert figures(only_2570, "offered", "sold", "value_sold") == (2, 1, 1_500_000)


async def test_months_offices_provinces_and_types(db) -> None:
    h = await resultskit.build(db)
    async with db() as s:
        months = by_key(await stats.compute(s, "month", Filters()))
        offices = by_key(await stats.compute(s, "office", Filters()))
        provinces = by_key(await stats.compute(s, "province", Filters()))
        types = by_key(await stats.compute(s, "type", Filters()))
        bkk_only = await stats.totals(s, Filters(province="10"))
    assert list(months) == ["2026-09", "2026-10"]
    assert months["2026-09"]["label"]["th"] == "ก.ย. 69"
    assert figures(months["2026-10"], "offered", "sold") == (2, 1)
    a, b = offices[h.offices["LED-10-1"]], offices[h.offices["LED-50"]]
    assert figures(a, *MAIN) == (3, 2, 0.6667, 2_700_000, 2_600_000, 1.0385, 1.5, 1, 1)
    assert figures(b, *MAIN) == (2, 1, 0.5, 800_000, 800_000, 1.0, 1.0, 0, 0)
    assert figures(provinces["10"], *MAIN) == figures(a, *MAIN)
    assert provinces["50"]["label"]["en"] == "Chiang Mai"
    assert figures(types["001"], "offered", "sold", "sell_through", "withdrawn") == (0, 0, None, 1)
    assert figures(types["002"], "offered", "sold", "value_sold") == (3, 2, 2_700_000)
    assert figures(types["003"], "offered", "sold", "value_sold") == (2, 1, 800_000)
    assert figures(bkk_only, "offered", "sold") == (3, 2)


async def test_stats_api_csv_and_bad_parameters(db, client) -> None:
    await resultskit.build(db)
    body = (await client.get("/api/stats", params={"group": "type"})).json()
    assert body["group"] == "type" and body["totals"]["sold"] == 3
    assert {r["key"]: r["sold"] for r in body["rows"]} == {"001": 0, "002": 2, "003": 1}
    r = await client.get("/api/stats.csv", params={"group": "fy", "lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(x["key"], x["offered"], x["sold"], x["value_sold"]) for x in rows] == [
        ("2569", "4", "2", "2000000"), ("2570", "2", "1", "1500000")]  # fmt: skip
    for params, code in [({"group": "weekday"}, "bad_group"), ({"fy": "20x"}, "bad_fy"), ({"fy": "1999"}, "bad_fy"),
                         ({"province": "Bangkok"}, "bad_province"), ({"type": "999"}, "bad_type")]:  # fmt: skip
        r = await client.get("/api/stats", params=params)
        assert (r.status_code, r.json()["error"]["code"]) == (400, code), params
