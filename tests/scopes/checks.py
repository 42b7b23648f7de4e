"""How the matrix tests ask and compare: clients per user, answers reduced to what must
match, and the leak detector.

Two answers "match" when a scoped user naming another campus's object is answered
exactly as when naming nothing: same status, same redirect, same body (JSON) or the same
form errors (admin pages), once each name of the other campus is replaced by the ghost's.
"""

from __future__ import annotations

import json
import re

from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.test import APIClient

from .world import RECIPIENT_SECRET, REPORT_SECRET, Names, World

ORGANISATION_SECRETS = (REPORT_SECRET, RECIPIENT_SECRET)
ADMIN_ID = re.compile(r"“[^”]*”")  # Django's "Asset with ID “12” doesn't exist."


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


class AdminClient(Client):
    """A test client whose every answer carries only the messages of its own request
    (a redirect leaves its messages in a cookie, for the next page to show; so do not
    ``follow`` a redirect with it)."""

    def request(self, **request):
        self.cookies.pop("messages", None)
        return super().request(**request)


def admin_client(user) -> Client:
    client = AdminClient()
    if user is not None:
        client.force_login(user)
    return client


def normalized(text: str, replacements: list[tuple[str, str]]) -> str:
    for name, ghost in replacements:
        text = text.replace(name, ghost)
    return text


def api_outcome(response, replacements=()) -> tuple:
    """Status and body (JSON, or the raw bytes of a download), names replaced."""
    content = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        content = json.dumps(json.loads(content), sort_keys=True)
    return response.status_code, normalized(content, list(replacements))


def admin_outcome(response, replacements=()) -> tuple:
    """Status, redirect, form errors and messages of an admin page, names replaced.

    (Not the whole HTML: forms carry fresh CSRF tokens and default times.)
    """
    replacements = list(replacements)
    errors = []
    context = getattr(response, "context", None)
    if context is not None:
        for key in ("adminform", "form"):
            form = context.get(key) if hasattr(context, "get") else None
            form = getattr(form, "form", form)
            if form is not None and hasattr(form, "errors"):
                errors = sorted(
                    f"{field}: {message}" for field, messages in form.errors.items() for message in messages
                )
                break
    messages = [ADMIN_ID.sub("“ID”", str(message)) for message in get_messages(response.wsgi_request)]
    body = ""
    if response.status_code >= 400:
        body = response.content.decode("utf-8", "replace")
    return (
        response.status_code,
        normalized(response.get("Location", ""), replacements),
        [normalized(error, replacements) for error in errors],
        [normalized(message, replacements) for message in messages],
        normalized(body, replacements),
    )


def assert_no_leak(
    response, world: World, me: Names, *, aggregate: bool = False, asked: str = "", where: str = ""
) -> None:
    """The answer to ``me``'s user holds nothing of the other campus, nor of the organisation.

    ``aggregate`` pages (the metrics, the dashboard, snapshots) are organisation-wide
    figures: they may name the other campus's site and center codes, never its assets,
    keys or records. What the request itself named (``asked``: its URL and body) may be
    echoed ("No asset has serial number 'X'").
    """
    other = world.other(me.token)
    body = response.content.decode("utf-8", "replace")
    secrets = [*other.secrets, *ORGANISATION_SECRETS]
    if not aggregate:
        secrets += [other.site, other.center]
    found = [secret for secret in secrets if secret in body and secret not in asked]
    assert not found, f"{where}: the answer to {me.token}'s user holds {found}"
