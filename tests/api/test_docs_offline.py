"""The API docs pages (Swagger UI and ReDoc) load nothing from outside this server.

Their scripts and styles come from drf-spectacular-sidecar as static files, so the pages
work on a machine without internet. tests/browser/ renders the Swagger page with every
outside request blocked and keeps a screenshot of it.
"""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

# Every URL-ish attribute or string in the page: src=, href=, url(...), and quoted literals.
URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.I)
EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.I)


def references(html: str) -> list[str]:
    return [first or second for first, second in URL.findall(html)]


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_page_references_no_external_url(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assets = [ref for ref in references(html) if ref.startswith("/static/")]
    assert assets, "the page loads its scripts from this server's static files"
    for ref in assets:
        assert finders.find(ref.removeprefix("/static/")), f"{ref} is not a static file of this project"


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_browser_is_told_to_load_nothing_from_elsewhere(client, path):
    """ReDoc's bundle fetches its footer logo from cdn.redoc.ly whatever the page says."""
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "http" not in policy


def test_swagger_ui_shows_no_validator_badge(client):
    """Swagger UI's default validator badge is an image from validator.swagger.io."""
    html = client.get("/api/v1/docs/").content.decode()
    assert '"validatorUrl": null' in html
