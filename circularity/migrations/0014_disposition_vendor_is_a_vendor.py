"""The free-text ``vendor`` of dispositions goes; the link 0013 filled becomes ``vendor``.

Its own migration (its own transaction on PostgreSQL), after the rows were linked.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("circularity", "0013_disposition_vendors_from_text")]

    operations = [
        migrations.RemoveField(model_name="disposition", name="vendor"),
        migrations.RenameField(model_name="disposition", old_name="vendor_ref", new_name="vendor"),
        migrations.AlterField(
            model_name="disposition",
            name="vendor",
            field=models.ForeignKey(
                blank=True,
                help_text="Who took it (any route but reuse), unless the center carries the route out itself.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dispositions",
                to="circularity.vendor",
            ),
        ),
    ]
