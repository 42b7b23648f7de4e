"""``python -m tests.fuzz.seed``: the data and callers of a schemathesis run (``make fuzz``).

Loads a small demo fleet into the (new, migrated) database of ``DATABASE_URL``, then makes
two callers with tokens: ``fuzz-admin``, a superuser, and ``fuzz-scoped``, holding every
permission but limited by an access scope to the first demo site and the centers serving
it (``inventory.scopes``). Prints ``{"admin": <token>, "scoped": <token>, ...}`` as JSON.
"""

from __future__ import annotations

import json
import os


def seed(servers: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    from circularity.demo import load_demo_fleet
    from circularity.models import CircularCenter
    from inventory.models import AccessScope, Site

    load_demo_fleet(servers=servers)
    users = get_user_model()
    admin = users.objects.create_superuser("fuzz-admin", "fuzz-admin@example.com", None)
    scoped = users.objects.create_user("fuzz-scoped", "fuzz-scoped@example.com", None, is_staff=True)
    scoped.user_permissions.set(Permission.objects.all())  # only the scope holds it back
    site = Site.objects.order_by("code").first()
    access = AccessScope.objects.create(user=scoped, note="schemathesis: one campus")
    access.sites.set([site])
    access.centers.set(CircularCenter.objects.filter(sites=site))
    return {
        "admin": Token.objects.create(user=admin).key,
        "scoped": Token.objects.create(user=scoped).key,
        "scope": {"sites": [site.code], "centers": list(access.centers.values_list("code", flat=True))},
    }


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assetlife.settings")
    django.setup()
    print(json.dumps(seed(int(os.environ.get("FUZZ_SERVERS", "20")))))
