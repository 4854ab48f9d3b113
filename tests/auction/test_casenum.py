import pytest

from auction import casenum


@pytest.mark.parametrize(
    "typed",
    [
        "ผบ.1234/2563",
        "ผบ1234/2563",
        "ผบ 1234/63",
        "ผบ.๑๒๓๔/๒๕๖๓",
        "ผบ. 1234 / 2563",
        " ผบ.1234/63 ",
        "ผบ๑๒๓๔/๖๓",
        "ผบ.1234/2020",
    ],
)
def test_variants_are_one_case(typed: str) -> None:
    assert casenum.parse(typed).key == "ผบ.1234/2563"


@pytest.mark.parametrize(
    "typed", ["ผบE814/2569", "ผบE.814/2569", "ผบ.E814/2569", "ผบ. E 814/69", "ผบe814/2569"]
)
def test_efiled_marker(typed: str) -> None:
    n = casenum.parse(typed)
    assert (n.prefix, n.efiled, n.number, n.year, n.key) == ("ผบ", True, 814, 2569, "ผบE.814/2569")


def test_separate_fields() -> None:
    assert casenum.from_parts("ผบ", "๑๒๓๔", "๖๓").key == "ผบ.1234/2563"


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "1234/2563", "ผบ.1234", "ผบ./2563", "ผบ.0/2563", "ผบ.1234/999", "ผบ.1234/25634", "ผบ.12a4/2563",
     "'; DROP TABLE case;--", "ผบ.1234/2563/1", "x" * 100, "ผบ.1234/1800"],
)  # fmt: skip
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(casenum.CaseNumberError):
        casenum.parse(garbage)


def test_partial_numbers() -> None:
    assert casenum.parse_partial("ผบ 12") == casenum.PartialCaseNumber("ผบ", None, 12, None)
    assert casenum.parse_partial("1234/63") == casenum.PartialCaseNumber(None, None, 1234, 2563)
    assert casenum.parse_partial("ผบ.") == casenum.PartialCaseNumber("ผบ", None, None, None)
    assert casenum.parse_partial("hello") is None
