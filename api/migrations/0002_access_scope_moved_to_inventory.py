"""``AccessScope`` moves to the inventory app (the admin applies scopes too, and the
inventory imports nothing of the API). Only Django's model state changes here: the
tables stay where they are (``inventory.AccessScope`` keeps ``db_table = "api_accessscope"``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AccessScope")]),
    ]
