"""The lifecycle actions of the asset list: a form first, then one lifecycle call per asset."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.choices import Action, Source, Status
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, SiteFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_asset_changelist")


def choose(client, action, assets, **extra):
    """The first step: pick the action on the list with the assets ticked."""
    return client.post(
        CHANGELIST,
        {"action": action, "index": "0", "select_across": "0", "_selected_action": [a.pk for a in assets], **extra},
    )


def apply(client, action, assets, url=CHANGELIST, select_across="0", **fields):
    """The second step: submit the action's form."""
    data = {
        "action": action,
        "select_across": select_across,
        "_selected_action": [a.pk for a in assets],
        "apply": "Apply",
        "lifecycle-occurred_at_0": "2022-03-15",
        "lifecycle-occurred_at_1": "12:00:00",
        "lifecycle-note": "ticket 42",
    }
    data.update({f"lifecycle-{name}": value for name, value in fields.items()})
    return client.post(url, data, follow=True)


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_the_move_action_asks_for_the_new_state_first_and_changes_nothing_yet(admin_client):
    asset = AssetFactory(status=Status.DEPLOYED)
    response = choose(admin_client, "move_through_lifecycle", [asset])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/inventory/asset/lifecycle_action.html"
    assert set(response.context["form"].fields) == {"to", "center", "occurred_at", "note"}
    assert asset.serial_number in response.content.decode()
    asset.refresh_from_db()
    assert asset.status == Status.DEPLOYED and not LifecycleEvent.objects.exists()


def test_the_move_action_applies_each_asset_and_reports_each_refusal(admin_client, admin_user, when):
    deployed = AssetFactory(serial_number="SRV-OK", status=Status.DEPLOYED)
    also_deployed = AssetFactory(serial_number="SRV-OK2", status=Status.DEPLOYED)
    recycled = AssetFactory(serial_number="SRV-GONE", status=Status.RECYCLED)

    response = apply(admin_client, "move_through_lifecycle", [deployed, also_deployed, recycled], to="decommissioned")

    assert response.status_code == 200
    assert messages_of(response) == [
        (
            "error",
            "SRV-GONE: Asset SRV-GONE is recycled; it cannot go to decommissioned: that is a terminal state. "
            "Allowed next states: none (terminal state).",
        ),
        ("success", "Moved 2 asset(s) to Decommissioned."),
    ]
    for asset in (deployed, also_deployed):
        asset.refresh_from_db()
        assert asset.status == Status.DECOMMISSIONED
        event = LifecycleEvent.objects.get(asset=asset)
        assert (event.action, event.from_status, event.to_status) == (
            Action.TRANSITION,
            Status.DEPLOYED,
            Status.DECOMMISSIONED,
        )
        assert (event.source, event.actor, event.occurred_at, event.note) == (
            Source.ADMIN,
            admin_user,
            when,
            "ticket 42",
        )
    recycled.refresh_from_db()
    assert recycled.status == Status.RECYCLED
    assert not LifecycleEvent.objects.filter(asset=recycled).exists()


def test_components_move_with_their_selected_parent_without_being_refused(admin_client):
    server = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    ssd = AssetFactory(serial_number="SSD-1", parent=server, site=server.site, status=Status.DEPLOYED)

    response = apply(admin_client, "move_through_lifecycle", [server, ssd], to="decommissioned")

    assert messages_of(response) == [
        ("success", "Moved 1 asset(s) to Decommissioned. 1 component(s) installed in them moved with them."),
        ("info", "1 selected component(s) were left to move with their selected parents."),
    ]
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.DECOMMISSIONED}


def test_arriving_at_a_circular_center_needs_the_center(admin_client):
    site = SiteFactory()
    center = CircularCenterFactory(code="CC-AMS", sites=[site])
    asset = AssetFactory(site=site, status=Status.DECOMMISSIONED)

    response = apply(admin_client, "move_through_lifecycle", [asset], to="at_circular_center")
    assert "center" in response.context["form"].errors
    asset.refresh_from_db()
    assert asset.status == Status.DECOMMISSIONED

    apply(admin_client, "move_through_lifecycle", [asset], to="at_circular_center", center=center.pk)
    asset.refresh_from_db()
    assert (asset.status, asset.center) == (Status.AT_CIRCULAR_CENTER, center)


def test_a_center_that_does_not_serve_the_site_is_refused_with_the_lifecycle_reason(admin_client):
    asset = AssetFactory(serial_number="SRV-1", status=Status.DECOMMISSIONED)
    far_away = CircularCenterFactory(code="CC-FAR", sites=[SiteFactory()])

    response = apply(admin_client, "move_through_lifecycle", [asset], to="at_circular_center", center=far_away.pk)

    [(level, text)] = messages_of(response)
    assert level == "error" and text.startswith("SRV-1: ") and "does not serve site" in text


def test_the_action_applies_to_every_matching_asset_when_all_are_selected(admin_client):
    ams = SiteFactory(code="AMS05")
    for n in range(3):
        AssetFactory(serial_number=f"AMS-{n}", site=ams, status=Status.DEPLOYED)
    untouched = AssetFactory(serial_number="DUB-1", status=Status.DEPLOYED)
    first = Asset.objects.get(serial_number="AMS-0")

    response = apply(
        admin_client,
        "move_through_lifecycle",
        [first],
        url=f"{CHANGELIST}?site__id__exact={ams.pk}",
        select_across="1",
        to="missing",
    )

    assert ("success", "Moved 3 asset(s) to Missing.") in messages_of(response)
    assert set(Asset.objects.filter(site=ams).values_list("status", flat=True)) == {Status.MISSING}
    untouched.refresh_from_db()
    assert untouched.status == Status.DEPLOYED


def test_many_refusals_are_summed_up_after_the_first_fifty(admin_client):
    assets = [AssetFactory(status=Status.RECYCLED) for _ in range(53)]
    response = apply(admin_client, "move_through_lifecycle", assets, to="decommissioned")
    messages = messages_of(response)
    assert len(messages) == 51
    assert messages[-1] == ("error", "…and 3 more refused; nothing was changed for them.")


def test_remove_from_parent_takes_components_out_and_reports_top_level_ones(admin_client, admin_user):
    server = AssetFactory(serial_number="SRV-1", status=Status.DEPLOYED)
    ssd = AssetFactory(serial_number="SSD-1", parent=server, site=server.site, status=Status.DEPLOYED)

    response = apply(admin_client, "remove_from_parent", [server, ssd])

    assert messages_of(response) == [
        ("error", "SRV-1: Asset SRV-1: it is not installed in another asset."),
        ("success", "Removed 1 component(s) from their parents."),
    ]
    ssd.refresh_from_db()
    assert ssd.parent is None and ssd.status == Status.DEPLOYED
    event = LifecycleEvent.objects.get(asset=ssd)
    assert (event.action, event.parent, event.source, event.actor) == (Action.REMOVE, server, Source.ADMIN, admin_user)


def test_the_actions_need_the_change_permission(client, django_user_model):
    analyst = django_user_model.objects.create_user("analyst", password="pw", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Sustainability analyst"))
    client.force_login(analyst)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action to offer

    operator = django_user_model.objects.create_user("operator", password="pw", is_staff=True)
    operator.groups.add(Group.objects.get(name="Data-center operator"))
    client.force_login(operator)
    choices = [name for name, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices]
    assert "move_through_lifecycle" in choices and "remove_from_parent" in choices
