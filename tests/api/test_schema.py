"""The OpenAPI schema describes what the API answers, and generates without a warning."""

import pytest
import yaml
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

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


def column_of(model, field):
    """The model column a serializer field reads, or a nullable one on its way; None when none."""
    if field.source == "*" or getattr(field, "many", False) or hasattr(field, "child_relation"):
        return None
    column = None
    for name in field.source_attrs:
        if model is None:
            return None
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not column.concrete:
            return None
        if column.null:
            return column
        model = column.related_model
    return column


def test_every_column_that_may_be_null_is_nullable_in_the_responses_that_show_it(django_db_blocker):
    """Compares each model's ``null=True`` columns with the schema, for every response component."""
    generator = SchemaGenerator()
    with django_db_blocker.unblock():
        schema = generator.get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    checked, wrong = [], []
    for component in generator.registry._components.values():
        model = getattr(getattr(component.object, "Meta", None), "model", None)
        if component.type != "schemas" or model is None or component.name.endswith("Request"):
            continue
        properties = components[component.name]["properties"]
        for name, field in component.object.fields.items():
            column = column_of(model, field)
            if name not in properties or column is None or not column.null:
                continue
            checked.append(f"{component.name}.{name}")
            if not properties[name].get("nullable"):
                wrong.append(f"{component.name}.{name} ({column.model.__name__}.{column.name} is null=True)")
    assert wrong == []
    assert {"Asset.center", "Event.actor", "Event.parent", "Disposition.actor", "Disposition.to_site"} <= set(checked)


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["properties"]["request_id"] == {"type": "string"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "401", "403", "404", "429"}
            if method in ("post", "put", "patch"):
                expected |= {"409", "413", "415"}
            assert expected <= set(operation["responses"]), (method, path)
            for code in expected:
                assert operation["responses"][code]["content"]["application/json"]["schema"] == error


def test_request_bodies_are_json_only(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_the_bounds_in_the_schema_are_those_of_their_homes():
    import re

    from api import bounds
    from circularity.models import FIRST_TARGET_YEAR, LAST_TARGET_YEAR
    from inventory import moments

    day = re.compile(bounds.DAY_PATTERN)
    assert day.fullmatch(f"{moments.FIRST_YEAR}-01-01") and day.fullmatch(f"{moments.LAST_YEAR}-12-28")
    assert not day.fullmatch(f"{moments.FIRST_YEAR - 1}-12-28") and not day.fullmatch(f"{moments.LAST_YEAR + 1}-01-01")
    moment = re.compile(bounds.MOMENT_PATTERN)
    assert moment.fullmatch(moments.EXAMPLE) and moment.fullmatch("2024-06-01T10:30:00+14:00")
    assert not moment.fullmatch("2024-06-01T10:30:00+14:01") and not moment.fullmatch("2024-06-01T10:30:00")
    assert (bounds.FISCAL_YEAR["minimum"], bounds.FISCAL_YEAR["maximum"]) == (FIRST_TARGET_YEAR, LAST_TARGET_YEAR)
    for text in ("2024-06-01T10:30:00Z", "1990-01-01T00:00:00Z", "2022-03-15T12:00:00-05:00"):
        moments.parse_moment(text, field="t")  # what the pattern allows, the rule takes (before now)


def test_the_bulk_body_is_1_to_10000_items(schema):
    body = schema["paths"]["/api/v1/events/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert (body["minItems"], body["maxItems"]) == (1, 10_000)
