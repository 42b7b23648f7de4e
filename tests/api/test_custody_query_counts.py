"""The custody lists (vendors, lots, evidence files) run a fixed number of queries,
whatever the page holds (as tests/api/test_query_counts.py pins the others)."""

import pytest

from circularity import evidence
from circularity.choices import EvidenceKind
from tests.circularity.custody_support import certified_vendor, dispositioned, lot_of, upload
from tests.circularity.helpers import utc
from tests.factories import CircularCenterFactory, SiteFactory, VendorCertificationFactory

from .test_query_counts import AUTH

pytestmark = pytest.mark.django_db
WHEN = utc(2024, 6, 3, 9)
PERMISSIONS = [
    "circularity.view_vendor",
    "circularity.view_lot",
    "circularity.view_evidencefile",
]


class Custody:
    def __init__(self):
        self.center = CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])
        self.made = 0

    def grow(self, n: int):
        for _ in range(n):
            i = self.made = self.made + 1
            vendor = certified_vendor(code=f"V{i}")
            certification = VendorCertificationFactory(vendor=vendor, scheme="iso14001")
            evidence.evidence_receive(
                upload=upload(), kind=EvidenceKind.VENDOR_CERTIFICATION, certification=certification
            )
            lot = lot_of(
                self.center, vendor, dispositioned(self.center, vendor, [5, 7], WHEN), gross="22", code=f"L{i}"
            )
            evidence.evidence_receive(upload=upload(), kind=EvidenceKind.LOT_CERTIFICATE, lot=lot)


LISTS = {
    "/api/v1/vendors/": 3,  # vendors, their certifications, the certifications' files
    "/api/v1/lots/": 3,  # lots with their weights, their dispositions' ids, their certificates
    "/api/v1/lots/?closed=true&vendor=V1": 3,
    "/api/v1/evidence-files/": 1,
}


@pytest.mark.parametrize(("url", "own"), LISTS.items())
def test_a_custody_list_runs_the_same_queries_for_one_row_or_many(client_with, django_assert_num_queries, url, own):
    reader = client_with(*PERMISSIONS)
    custody = Custody()
    custody.grow(1)
    with django_assert_num_queries(AUTH + own):
        small = reader.get(url)
    custody.grow(4)
    with django_assert_num_queries(AUTH + own):
        large = reader.get(url)
    assert small.status_code == large.status_code == 200
    if "V1" not in url:
        assert 0 < len(small.json()["results"]) < len(large.json()["results"])
