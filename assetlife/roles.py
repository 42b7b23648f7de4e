"""The staff roles shipped with the product, as Django groups with model permissions.

Data migrations call ``sync_groups`` so a fresh database has the groups; a later
migration that adds models calls it again to extend them. Admins may edit the groups.
"""

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"

ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "Data-center operator": {
        "inventory.site": (VIEW,),
        "inventory.partmodel": (VIEW, ADD, CHANGE),
        "inventory.asset": (VIEW, ADD, CHANGE),
        "inventory.lifecycleevent": (VIEW, ADD),
        "circularity.circularcenter": (VIEW,),
        "circularity.shipment": (VIEW, ADD, CHANGE),
        "circularity.packagingrecord": (VIEW, ADD, CHANGE),
    },
    "Circular-center technician": {
        "inventory.site": (VIEW,),
        "inventory.partmodel": (VIEW,),
        "inventory.asset": (VIEW, CHANGE),
        "inventory.lifecycleevent": (VIEW, ADD),
        "circularity.circularcenter": (VIEW,),
        "circularity.shipment": (VIEW, CHANGE),
        "circularity.sanitizationrecord": (VIEW, ADD),
        "circularity.sanitizationbatch": (VIEW, ADD),
        "circularity.sanitizationsampleresult": (VIEW, ADD),
        "circularity.disposition": (VIEW, ADD),
        "circularity.vendor": (VIEW,),
        "circularity.vendorcertification": (VIEW,),
        "circularity.lot": (VIEW, ADD, CHANGE),
        "circularity.evidencefile": (VIEW, ADD),
    },
    "Sustainability analyst": {
        "inventory.site": (VIEW,),
        "inventory.partmodel": (VIEW,),
        "inventory.asset": (VIEW,),
        "inventory.lifecycleevent": (VIEW,),
        "circularity.circularcenter": (VIEW,),
        "circularity.shipment": (VIEW,),
        "circularity.sanitizationrecord": (VIEW,),
        "circularity.sanitizationbatch": (VIEW,),
        "circularity.sanitizationsampleresult": (VIEW,),
        "circularity.disposition": (VIEW,),
        "circularity.packagingrecord": (VIEW, ADD, CHANGE),
        "circularity.target": (VIEW, ADD, CHANGE),
        "circularity.monthlysnapshot": (VIEW,),
        "circularity.compliancereport": (VIEW,),
        "circularity.reportrecipient": (VIEW, ADD, CHANGE, DELETE),
        "circularity.vendor": (VIEW, ADD, CHANGE),
        "circularity.vendorcertification": (VIEW, ADD),
        "circularity.lot": (VIEW,),
        "circularity.evidencefile": (VIEW, ADD),
    },
}


def sync_groups(apps, schema_editor=None) -> None:
    """Create the groups and give each exactly the permissions ``ROLES`` names that exist.

    Usable as a ``RunPython`` operation: it takes the historical ``apps`` registry and
    first creates the permissions of models migrated so far (Django otherwise creates
    them only after the last migration).
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set()
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            for action in actions:
                wanted.add((app_label, f"{action}_{model}"))
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
