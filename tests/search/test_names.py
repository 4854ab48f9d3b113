import csv

import pytest

from auction.reference import DATA
from search.thai import Named, NameIndex, normalise, strip_prefix


def _index(level: str) -> NameIndex:
    with open(DATA / "th_admin.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == level]
    return NameIndex(Named(r["code"], r["name_th"], r["name_en"], r["parent_code"] or None) for r in rows)


DISTRICTS = _index("district")
PROVINCES = _index("province")


@pytest.mark.parametrize(
    "typed, key",
    [("อ.เมือง", "เมือง"), ("อำเภอเมือง", "เมือง"), ("เขตบางรัก", "บางรัก"), ("จ.เชียงใหม่", "เชียงใหม่"),
     ("จังหวัด เชียงใหม่", "เชียงใหม่"), ("Khet Bang Rak", "bangrak"), ("Bang Rak District", "bangrak"),
     ("  BANG-rak ", "bangrak"), ("Muang Chiang Mai", "mueangchiangmai")],
)  # fmt: skip
def test_names_are_compared_without_prefixes_case_or_spaces(typed: str, key: str) -> None:
    assert normalise(typed) == key


def test_a_name_that_is_only_a_prefix_word_is_kept() -> None:
    assert strip_prefix("เขต") == "เขต"


@pytest.mark.parametrize(
    "typed, code",
    [("เขตบางรัก", "1004"), ("บางรัก", "1004"), ("Bang Rak", "1004"), ("bangrak", "1004"),
     ("Bang Ruk", "1004"), ("ลาดพร้า", "1038"), ("อำเภอเมืองเชียงใหม่", "5001"), ("1018", "1018"),
     ("๑๐๑๘", "1018")],
)  # fmt: skip
def test_district_found_by_thai_english_prefix_or_typo(typed: str, code: str) -> None:
    found, _ = DISTRICTS.resolve(typed)
    assert found is not None and found.code == code


def test_mueang_alone_is_ambiguous_but_unique_within_a_province() -> None:
    found, candidates = DISTRICTS.resolve("อ.เมือง")
    assert found is None and len(candidates) == 10
    assert all(c.item.name_th.startswith("เมือง") for c in candidates)
    found, _ = DISTRICTS.subset("50").resolve("อ.เมือง")
    assert found is not None and found.code == "5001"


def test_same_name_in_two_provinces_is_ambiguous() -> None:
    found, candidates = DISTRICTS.resolve("จอมทอง")
    assert found is None and {c.item.parent for c in candidates} == {"10", "50"}


@pytest.mark.parametrize("typed", ["กรุงเทพ", "กทม", "Bangkok", "bangkok", "10", "กรุงเทพฯ"])
def test_bangkok_by_any_common_name(typed: str) -> None:
    found, _ = PROVINCES.resolve(typed)
    assert found is not None and found.code == "10"


def test_unknown_name_has_no_candidates() -> None:
    assert PROVINCES.resolve("Atlantis") == (None, [])
