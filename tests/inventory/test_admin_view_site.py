"""The admin's "View site" link leads somewhere: the dashboard."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_view_site_opens_the_dashboard_not_a_404(admin_client):
    index = admin_client.get(reverse("admin:index"))
    dashboard = reverse("circularity:dashboard")
    assert index.context["site_url"] == dashboard
    assert f'<a href="{dashboard}">' in index.content.decode()
    assert admin_client.get(dashboard).status_code == 200


def test_view_site_is_hidden_from_those_who_may_not_see_the_dashboard(client, django_user_model):
    user = django_user_model.objects.create_user("operator-no-dashboard", password="pw", is_staff=True)
    client.force_login(user)
    index = client.get(reverse("admin:index"))
    assert index.context["site_url"] is None
    assert "View site" not in index.content.decode()
