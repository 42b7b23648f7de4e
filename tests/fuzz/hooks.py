"""Schemathesis hooks of ``make fuzz`` (``SCHEMATHESIS_HOOKS=tests.fuzz.hooks``).

One check is replaced, not dropped: ``positive_data_acceptance`` expects every request
the schema allows to be accepted. The schema states every bound JSON Schema can (patterns
of moments and days, id ranges, fiscal years, fractions, lengths, enums; ``api.schema``),
but some rules of the domain depend on the data or on the clock, and no schema can state
them. A request breaking only those is rightly a 400 naming the field (SPEC section 8):

* a referenced key that does not exist, or lies outside the caller's access scope
  ("No asset has serial number …", "No site has code …");
* an identity already taken ("… exists.", "… is not available.", a unique set);
* a moment after now + 5 minutes, or a day after tomorrow ("… is in the future");
* a moment whose UTC offset carries it over 1990-01-01T00:00Z or 2101-01-01T00:00Z
  (the pattern bounds the written year only);
* rules between two fields (a baseline before its target year, a range's start before
  its end, no more plastic than package, a center named only to arrive at one, only a
  reuse names a site, ``FY…`` only with fiscal years, a cursor only by serial number)
  and the 240-month cap of a metrics request;
* text PostgreSQL cannot hold (a NUL character, a lone surrogate: ``inventory.text``),
  which schemathesis generates inside otherwise valid strings, and numbers no column
  holds (integers past 64 bits, floats that overflow), refused anywhere in a body
  (``api.parsers``), even under a key the endpoint ignores (JSON Schema's ``integer``
  has no bound where the schema declares no field).

``positive_data_acceptance_within_the_domain`` accepts a 400 whose every message is one
of these, and runs the original check on everything else: any other 400 to a
schema-valid request (a schema that says less than the API checks) still fails the run.
The list is docs/api.md's "Fuzzing" section; keep them together.
"""

from __future__ import annotations

import json
import re

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

DOMAIN_REFUSALS = [
    re.compile(pattern)
    for pattern in (
        r"^No (asset|site|circular center|part model) has ",
        r"^An asset with (serial number|asset tag) .* exists\.$",
        r"^(Serial number|Asset tag) .* is not available\.$",
        r" with this .* already exists\.$",
        r"^The fields .* must make a unique set\.$",
        r" is in the future; ",
        r" is (before|after) 1990-01-01T00:00:00Z",
        r" is (outside|before|after) .*2101-01-01T00:00:00Z",
        r"^The baseline \(FY\d+\) comes before the target \(FY\d+\)\.$",
        r"^The range ends \(.*\) before it starts\.$",
        r"^At most \d+ months \(\d+ years\) per request",
        r"^More plastic \(.*\) than the whole package",
        r"^A center is named only to arrive at ",
        r"^Reuse names the site the asset returns to\.$",
        r"^Only reuse returns an asset to a site",
        r"^Name the circular center it arrives at\.$",  # to=at_circular_center names a center
        r"^'FY\d{4}' is not a month: ",  # FY… with period=month
        r"^Cursor pages are ordered by serial_number or -serial_number",  # another ordering with a cursor
        r"(^|: )Null characters are not allowed\.$",
        r"lone surrogate",
        r"^The integer .* is out of range \(64-bit at most\)\.$",
        r" overflows a number; send a finite one\.$",
    )
]


def messages(body) -> list[str]:
    """Every message string in an error body (field errors, bulk items, nested lists)."""
    found, pending = [], [body]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            # A bulk refusal's "code"/"detail" say how many items; the items say why.
            pending.extend(v for k, v in value.items() if not (k in ("code", "detail") and "errors" in value))
    return found


def only_domain_refusals(response) -> bool:
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    found = messages(body)
    return bool(found) and all(any(rule.search(text) for rule in DOMAIN_REFUSALS) for text in found)


@schemathesis.check
def positive_data_acceptance_within_the_domain(ctx, response, case):
    if response.status_code == 400 and only_domain_refusals(response):
        return None
    return positive_data_acceptance(ctx, response, case)
