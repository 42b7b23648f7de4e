"""Where evidence files live: ``STORAGES["evidence"]`` from ``EVIDENCE_STORAGE_URL``.

* unset (default): the file system under ``var/evidence/`` (``EVIDENCE_ROOT`` moves it);
* ``file:///srv/assetlife/evidence``: the file system at that path;
* ``s3://bucket/prefix?endpoint_url=https://minio.example:9000&region=eu-west-1``: an
  S3-compatible bucket through django-storages. Credentials come from boto3's usual
  sources (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, an instance role). Objects
  are private (downloads go through AssetLife, which checks who asks) and never
  overwritten (``file_overwrite`` off).

Either way AssetLife names each file itself (``circularity.evidence``) and refuses a name
that exists: a stored file is never replaced.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def evidence_storage_config(url: str, default_root: Path) -> dict:
    """The ``STORAGES`` entry for evidence files described by ``url`` (blank: the default)."""
    if not url:
        return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": str(default_root), "base_url": None}}
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"EVIDENCE_STORAGE_URL={url!r}: name a directory, file:///srv/evidence.")
        return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": unquote(parts.path), "base_url": None}}
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ImproperlyConfigured(f"EVIDENCE_STORAGE_URL={url!r}: name the bucket, s3://bucket/prefix.")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = sorted(set(query) - {"endpoint_url", "region"})
        if unknown:
            raise ImproperlyConfigured(
                f"EVIDENCE_STORAGE_URL: unknown parameter(s) {', '.join(unknown)} (known: endpoint_url, region)."
            )
        options = {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        }
        if "endpoint_url" in query:
            options["endpoint_url"] = query["endpoint_url"]
        if "region" in query:
            options["region_name"] = query["region"]
        return {"BACKEND": S3, "OPTIONS": options}
    raise ImproperlyConfigured(f"EVIDENCE_STORAGE_URL={url!r}: use s3://bucket/prefix or file:///path.")
