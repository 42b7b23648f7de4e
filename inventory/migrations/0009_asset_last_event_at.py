"""``Asset.last_event_at``: the moment of the asset's latest event, kept by ``inventory.lifecycle``.

Every writer of events keeps it (as the asset, or as the parent of an installation or a
removal), so an event earlier than an asset's history is refused without reading the
history (SPEC section 2, "Time"). Filled here from the events, in one grouped statement.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE inventory_asset SET last_event_at = latest.moment
FROM (
    SELECT id, max(occurred_at) AS moment FROM (
        SELECT asset_id AS id, occurred_at FROM inventory_lifecycleevent
        UNION ALL
        SELECT parent_id AS id, occurred_at FROM inventory_lifecycleevent WHERE parent_id IS NOT NULL
    ) AS named
    GROUP BY id
) AS latest
WHERE inventory_asset.id = latest.id
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0008_history_refuses_truncate")]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="last_event_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="The moment of its latest event, as the asset or as the parent of an installation or removal.",
                null=True,
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
