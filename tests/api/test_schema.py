"""The OpenAPI schema describes what the API answers, and generates without a warning."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def properties(schema, name):
    return schema["components"]["schemas"][name]["properties"]


def enum(schema, prop):
    return schema["components"]["schemas"][prop["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]


def test_an_asset_is_registered_in_two_states_and_read_in_any(schema):
    assert enum(schema, properties(schema, "AssetRequest")["status"]) == ["in_stock", "deployed"]
    assert "recycled" in enum(schema, properties(schema, "Asset")["status"])


def test_a_metrics_row_has_exactly_the_figures_of_the_contract(schema):
    row = properties(schema, "CircularityRow")
    assert list(row) == [
        "period",
        "group",
        "units",
        "mass_kg",
        "reuse_recycle_rate",
        "reuse_rate",
        "recycle_rate",
        "diverted_mass_t",
        "disposed_mass_t",
        "avoided_kgco2e",
    ]
    assert row["mass_kg"]["type"] == "number"  # not a string
    assert list(properties(schema, "PackagingRow")) == [
        "period",
        "group",
        "packages",
        "avg_plastic_content",
        "plastic_reduction",
    ]


def test_the_bulk_endpoint_takes_a_list_and_answers_results(schema):
    operation = schema["paths"]["/api/v1/events/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert {"200", "201"} <= set(operation["responses"])


def test_every_operation_but_the_schema_needs_authentication(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/schema"):
                continue
            assert {"tokenAuth": []} in operation["security"], (method, path)
            assert {} not in operation["security"], (method, path)
