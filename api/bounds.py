"""The bounds of the domain as JSON Schema, for the OpenAPI schema (``api.schema``, ``api.filters``).

Each restates a rule whose one home is elsewhere (``inventory.moments``: moments and days
in the years 1990 … 2100, offsets within ±14:00; ``circularity.models``: target years
and fractions); ``tests/api/test_schema.py`` holds them to those homes.
"""

from circularity.models import FIRST_TARGET_YEAR, LAST_TARGET_YEAR

# Years 1990 … 2100, months, and days 01-28 (so a generated example is always a real
# date: the 29th-31st are valid too, the pattern is what a client may rely on).
_YEARS = "(199[0-9]|20[0-9][0-9]|2100)"
_DAY = _YEARS + "-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
_MOMENT = _DAY + "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
DAY_PATTERN = f"^{_DAY}$"
MOMENT_PATTERN = f"^{_MOMENT}$"
MOMENT = {
    "type": "string",
    "pattern": MOMENT_PATTERN,
    "description": "ISO 8601 with its time zone, e.g. 2022-03-15T12:00:00Z; 1990-01-01T00:00Z to now + 5 min.",
}
DAY = {"type": "string", "pattern": DAY_PATTERN, "description": "YYYY-MM-DD, in the years 1990 … 2100."}
# Filters of a list: blank is "no filter".
TIME_BOUND = {
    "type": "string",
    "pattern": f"^({_MOMENT})?$",
    "description": "ISO 8601 with its time zone; 1990-01-01T00:00Z to 2101-01-01T00:00Z (blank: no bound).",
}
DAY_BOUND = {**DAY, "pattern": f"^({_DAY})?$", "description": "YYYY-MM-DD, 1990 … 2100 (blank: no bound)."}
MONTH_OR_FISCAL_YEAR = {
    "type": "string",
    "pattern": f"^({_YEARS}-(0[1-9]|1[0-2])|FY{_YEARS})$",
    "description": "YYYY-MM (a month, or the fiscal year holding it), or FYYYYY for fiscal years; 1990 … 2100.",
}
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
FISCAL_YEAR = {"type": "integer", "minimum": FIRST_TARGET_YEAR, "maximum": LAST_TARGET_YEAR}
FRACTION = {"minimum": 0, "maximum": 1, "exclusiveMinimum": False, "exclusiveMaximum": False}
