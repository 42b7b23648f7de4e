"""The one rule of text the product stores or looks up: PostgreSQL must be able to hold it.

PostgreSQL's ``text`` cannot hold a NUL character (``\\x00``: psycopg refuses the query,
and a lookup by such a key used to answer 500), and UTF-8 cannot encode a lone surrogate
(``"\\ud800"`` in a JSON body decodes to one). Every entry point that takes text from
outside calls ``text_problem`` before the text reaches a query: the API's JSON parser
(every string and key of a body), the request guard (URL paths and query strings,
``api.middleware``) and the CSV import (every cell). Django's form fields (the admin)
refuse NUL characters themselves, and a form-encoded body cannot carry a surrogate.
"""

from __future__ import annotations

NUL_MESSAGE = "Null characters are not allowed."  # Django's and DRF's own words for it
SURROGATE_MESSAGE = "Not valid Unicode text: it holds a lone surrogate (e.g. \\ud800), which UTF-8 cannot encode."


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored or looked up, or ``None`` when it can."""
    if "\x00" in value:
        return NUL_MESSAGE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None
