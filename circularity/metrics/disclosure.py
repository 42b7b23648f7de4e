"""The waste disclosures, one datapoint per row: GRI 306-3/4/5 and ESRS E5-5 (§37, §39).

Each ``Datapoint`` names its standard, disclosure, paragraph and what it measures, so the
report labels it ("ESRS E5 §37(d) non-recycled waste") and the export hands it to a
reporting tool as it is. Values come from ``waste.waste_figures`` and ``waste.cross_split``
over one set of sums (a fiscal year, to date or whole): no query of their own.

Paragraphs are those of GRI 306: Waste 2020 (306-3-a, 306-4-a…d, 306-5-a…d) and of ESRS
E5 (Commission Delegated Regulation (EU) 2023/2772, Annex I): §37(a)–(d) and §39.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from ..periods import Period, months_between
from ..waste import DISPOSAL_OPERATIONS, RECOVERY_OPERATIONS
from .sums import Sums, monthly_sums, span_sums
from .waste import cross_split, waste_figures

GRI_306, ESRS_E5 = "gri306", "esrs_e5"
STANDARDS = {GRI_306: "GRI 306", ESRS_E5: "ESRS E5"}
TONNES, FRACTION = "t", "fraction"

OPERATION_LABELS = {
    "preparation_for_reuse": "preparation for reuse",
    "recycling": "recycling",
    "other_recovery": "other recovery operations",
    "incineration_energy_recovery": "incineration (with energy recovery)",
    "incineration": "incineration (without energy recovery)",
    "landfill": "landfilling",
    "other_disposal": "other disposal operations",
}
GRI_NUMERALS = ["i", "ii", "iii", "iv"]
# Tonnes exact to the gram, shares to six places: the same digits in the JSON and the CSV.
PLACES = Decimal("0.000001")


class Datapoint(NamedTuple):
    standard: str  # gri306 | esrs_e5
    disclosure: str  # 306-4, E5-5
    paragraph: str  # 306-4-b-ii, §37(b)(ii)
    dimension: str  # what is measured, in words
    unit: str  # t | fraction
    value: Decimal | None

    @property
    def label(self) -> str:
        """How the report names it: ``ESRS E5 §37(d) non-recycled waste``."""
        return f"{STANDARDS[self.standard]} {self.paragraph} {self.dimension}"


def _datapoint(standard, disclosure, paragraph, dimension, unit, value) -> Datapoint:
    value = None if value is None else Decimal(value).quantize(PLACES)
    return Datapoint(standard, disclosure, paragraph, dimension, unit, value)


def _nature(hazardous: bool) -> str:
    return "hazardous" if hazardous else "non-hazardous"


def gri_306(sums: Sums) -> list[Datapoint]:
    """GRI 306-3-a, 306-4-a…d and 306-5-a…d, in the order of the standard."""
    row = waste_figures(sums)
    points = [_datapoint(GRI_306, "306-3", "306-3-a", "waste generated", TONNES, row["waste_generated_t"])]
    for disclosure, key, operations, verb in (
        ("306-4", "diverted_t", RECOVERY_OPERATIONS, "diverted from disposal"),
        ("306-5", "disposal_t", DISPOSAL_OPERATIONS, "directed to disposal"),
    ):
        split = row[key]
        total = sum((split[op]["total"] for op in operations), Decimal(0))
        points.append(_datapoint(GRI_306, disclosure, f"{disclosure}-a", f"waste {verb}", TONNES, total))
        for letter, hazardous in (("b", True), ("c", False)):
            field = "hazardous" if hazardous else "non_hazardous"
            for numeral, op in zip(GRI_NUMERALS, operations, strict=False):
                points.append(
                    _datapoint(
                        GRI_306,
                        disclosure,
                        f"{disclosure}-{letter}-{numeral}",
                        f"{_nature(hazardous)} waste {verb}: {OPERATION_LABELS[op]}",
                        TONNES,
                        split[op][field],
                    )
                )
        for op in operations:
            cells = cross_split(sums, operations[op])
            for hazardous in (True, False):
                for numeral, onsite in (("i", True), ("ii", False)):
                    points.append(
                        _datapoint(
                            GRI_306,
                            disclosure,
                            f"{disclosure}-d-{numeral}",
                            f"{_nature(hazardous)} waste {verb}: {OPERATION_LABELS[op]}, "
                            f"{'onsite' if onsite else 'offsite'}",
                            TONNES,
                            cells[(hazardous, onsite)],
                        )
                    )
    return points


def esrs_e5(sums: Sums) -> list[Datapoint]:
    """ESRS E5-5 §37(a)–(d) and §39, in the order of the standard."""
    row = waste_figures(sums)
    diverted, disposal = row["diverted_t"], row["disposal_t"]
    # §37(c) reports incineration as one type: with and without energy recovery together.
    esrs_disposal = {
        "incineration": {
            field: disposal["incineration_energy_recovery"][field] + disposal["incineration"][field]
            for field in ("total", "hazardous", "non_hazardous")
        },
        "landfill": disposal["landfill"],
        "other disposal operations": disposal["other_disposal"],
    }
    esrs_recovery = {
        "preparation for reuse": diverted["preparation_for_reuse"],
        "recycling": diverted["recycling"],
        "other recovery operations": diverted["other_recovery"],
    }

    def point(paragraph, dimension, value, unit=TONNES):
        return _datapoint(ESRS_E5, "E5-5", paragraph, dimension, unit, value)

    points = [point("§37(a)", "total waste generated", row["waste_generated_t"])]
    for letter, verb, types in (
        ("b", "waste diverted from disposal", esrs_recovery),
        ("c", "waste directed to disposal", esrs_disposal),
    ):
        for field, words in (("total", "total"), ("hazardous", "hazardous"), ("non_hazardous", "non-hazardous")):
            points.append(
                point(f"§37({letter})", f"{words} {verb}", sum((t[field] for t in types.values()), Decimal(0)))
            )
        for numeral, (name, split) in zip(GRI_NUMERALS, types.items(), strict=False):
            for field, words in (("hazardous", "hazardous"), ("non_hazardous", "non-hazardous")):
                points.append(point(f"§37({letter})({numeral})", f"{words} {verb}: {name}", split[field]))
    points.append(point("§37(d)", "non-recycled waste", row["non_recycled_waste_t"]))
    points.append(point("§37(d)", "non-recycled waste share", row["non_recycled_share"], FRACTION))
    points.append(point("§39", "hazardous waste", row["hazardous_waste_t"]))
    points.append(point("§39", "radioactive waste", row["radioactive_waste_t"]))
    return points


BUILDERS = {GRI_306: gri_306, ESRS_E5: esrs_e5}


def span_waste_sums(first: dt.date, last: dt.date) -> Sums:
    """The sums of the months ``first`` … ``last`` as one span (≤ 3 queries: snapshots or live)."""
    months = months_between(first, last)
    return span_sums(monthly_sums(months), months).get(None) or Sums()


def fiscal_year_disclosure(standard: str, fiscal_year: int) -> list[Datapoint]:
    """One standard's datapoints for a whole fiscal year."""
    period = Period.fiscal_year(fiscal_year)
    return BUILDERS[standard](span_waste_sums(period.months[0], period.months[-1]))


__all__ = [
    "BUILDERS",
    "ESRS_E5",
    "GRI_306",
    "STANDARDS",
    "Datapoint",
    "esrs_e5",
    "fiscal_year_disclosure",
    "gri_306",
    "span_waste_sums",
]
