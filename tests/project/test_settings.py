"""Settings from the environment: embedded defaults that run anywhere, a production mode that
refuses insecure ones and passes Django's deployment checks.

Settings are read once per process, so each case starts a fresh interpreter with exactly
the environment under test.
"""

import json
import os
import re
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives

from assetlife.mail import EmlFileBackend

ROOT = Path(__file__).resolve().parents[2]
SECURE = {
    "ASSETLIFE_ENV": "production",
    "SECRET_KEY": "k3#Vq9!zP0w-Lr7@xT2$mN8^bC5&hJ1*dF6(gY4)sA0+eU9=oI3~uR7",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "assetlife.example.com",
    "DATABASE_URL": "postgres://assetlife:secret@db.example.com:5432/assetlife",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
}
# Every variable the settings read, so the parent's environment (a test DATABASE_URL, say)
# never leaks into a case.
SETTINGS_VARIABLES = {
    "DOWNSTREAM_REQUIRED_SCHEMES",
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_ROOT",
    "EVIDENCE_STORAGE_URL",
    "LIFECYCLE_APPLY_ON_SERVER",
    "LOT_CERTIFICATE_DAYS",
    "ASSETLIFE_ENV", "ASSETLIFE_VAR_DIR", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL", "CONN_MAX_AGE", "TIME_ZONE", "FISCAL_YEAR_START_MONTH", "TRANSIT_EXCEPTION_DAYS",
    "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "EMAIL_OUTBOX_DIR", "EMAIL_BACKEND", "API_THROTTLE_USER",
    "LOG_LEVEL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL",
    "CACHE_URL", "CELERY_VISIBILITY_TIMEOUT", "REPORT_CLAIM_LEASE_SECONDS", "REPORT_RETRY_BASE_SECONDS",
    "REPLICA_MAX_LAG_SECONDS", "REPLICA_CHECK_SECONDS", "REPLICA_PIN_SECONDS", "REPLICA_CONNECT_TIMEOUT",
}  # fmt: skip

DUMP = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "var_dir": str(settings.VAR_DIR),
    "database": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "broker": settings.CELERY_BROKER_URL,
    "broker_folder": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""),
    "broker_control": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("control_folder", ""),
    "email_backend": settings.EMAIL_BACKEND,
    "outbox": str(settings.EMAIL_OUTBOX_DIR),
    "debug": settings.DEBUG,
    "fiscal_year_start_month": settings.FISCAL_YEAR_START_MONTH,
}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "assetlife.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def settings_in(env: dict[str, str]) -> dict:
    result = run(["-c", DUMP], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_defaults_keep_everything_under_var(tmp_path):
    found = settings_in({"ASSETLIFE_VAR_DIR": str(tmp_path)})
    assert found["database"] == "django.db.backends.sqlite3"
    assert found["database_name"] == str(tmp_path / "assetlife.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["broker_folder"] == str(tmp_path / "celery" / "queue")
    assert found["broker_control"] == str(tmp_path / "celery" / "control")  # not ./control where a worker starts
    assert (tmp_path / "celery" / "queue").is_dir()
    assert found["email_backend"] == "assetlife.mail.EmlFileBackend"
    assert found["outbox"] == str(tmp_path / "outbox")
    assert found["debug"] is True
    assert found["fiscal_year_start_month"] == 7


def test_var_defaults_to_the_repository_var_folder():
    assert settings_in({})["var_dir"] == str(ROOT / "var")


def test_an_smtp_host_switches_email_to_smtp(tmp_path):
    found = settings_in({"ASSETLIFE_VAR_DIR": str(tmp_path), "EMAIL_HOST": "smtp.example.com"})
    assert found["email_backend"] == "assetlife.mail.SmtpBackend"  # Django's, aware of a send in doubt


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean: use true or false."),
        ({"FISCAL_YEAR_START_MONTH": "13"}, "FISCAL_YEAR_START_MONTH=13 must be a month number, 1 to 12."),
        ({"FISCAL_YEAR_START_MONTH": "July"}, "FISCAL_YEAR_START_MONTH='July' is not an integer."),
        ({"ASSETLIFE_ENV": "staging"}, "ASSETLIFE_ENV='staging': use 'development' (default) or 'production'."),
    ],
)
def test_a_malformed_variable_is_named_with_what_to_use(tmp_path, env, message):
    result = run(["-c", DUMP], {"ASSETLIFE_VAR_DIR": str(tmp_path), **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_the_embedded_defaults_and_names_every_problem(tmp_path):
    result = run(["manage.py", "check"], {"ASSETLIFE_ENV": "production", "ASSETLIFE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "Refusing to start in production mode" in result.stderr
    for problem in (
        "SECRET_KEY must be set to a random string of 50 characters or more",
        "ALLOWED_HOSTS must list the host names",
        "DATABASE_URL must point at PostgreSQL",
        "CELERY_BROKER_URL must point at Redis",
    ):
        assert problem in result.stderr


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"SECRET_KEY": "short-but-set"}, "SECRET_KEY must be set to a random string of 50 characters or more"),
        ({"DEBUG": "true"}, "DEBUG must be false"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list the host names the site is served on"),
        ({"DATABASE_URL": "sqlite:////tmp/assetlife.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL must point at Redis (or another network broker)"),
    ],
)
def test_production_refuses_each_insecure_value_on_its_own(tmp_path, override, problem):
    result = run(["manage.py", "check"], {**SECURE, "ASSETLIFE_VAR_DIR": str(tmp_path), **override})
    assert result.returncode != 0
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("django.core.exceptions.")]
    assert error == f"django.core.exceptions.ImproperlyConfigured: Refusing to start in production mode: {problem}."


def test_production_with_secure_values_passes_the_deployment_checks(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**SECURE, "ASSETLIFE_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_eml_backend_writes_one_parseable_message_per_email(tmp_path):
    message = EmailMultiAlternatives(
        subject="AssetLife compliance report 2026-10",
        body="Plain text body",
        from_email="AssetLife <assetlife@localhost>",
        to=["compliance@example.com"],
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("figures.csv", "period,units\n2026-10,42\n", "text/csv")
    sent = EmlFileBackend(outbox_dir=tmp_path / "outbox").send_messages([message, message])

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert sent == 2 and len(files) == 2
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["Subject"] == "AssetLife compliance report 2026-10"
    assert parsed["To"] == "compliance@example.com"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>HTML body</p>"
    assert parsed.get_body(("plain",)).get_content().strip() == "Plain text body"
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == "figures.csv"
    assert "2026-10,42" in attachment.get_content()


def test_the_eml_backend_sends_nothing_for_no_messages(tmp_path):
    assert EmlFileBackend(outbox_dir=tmp_path / "outbox").send_messages([]) == 0
    assert not (tmp_path / "outbox").exists()


def test_every_variable_the_settings_read_is_documented_and_isolated_here():
    source = (ROOT / "assetlife" / "settings.py").read_text()
    read = set(re.findall(r"""(?:environ\.get|env_bool|env_int|env_list)\(\s*["']([A-Z_]+)["']""", source))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert len(read) > 20
    assert {name for name in read if f"`{name}`" not in documented} == set()
    assert read <= SETTINGS_VARIABLES


CELERY_DUMP = """
import json, django
from django.conf import settings
django.setup()
from assetlife.celery import app
print(json.dumps({
    "visibility_timeout": app.conf.broker_transport_options.get("visibility_timeout"),
    "lease": settings.REPORT_CLAIM_LEASE_SECONDS,
    "retry_base": settings.REPORT_RETRY_BASE_SECONDS,
}))
"""


def test_a_redis_broker_redelivers_only_after_the_longest_eta(tmp_path):
    """A task waiting for its ETA must not be handed to a second worker meanwhile (docs/reports.md)."""
    env = {"ASSETLIFE_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9"}
    result = run(["-c", CELERY_DUMP], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"visibility_timeout": 86400, "lease": 900, "retry_base": 60}
    result = run(["-c", CELERY_DUMP], {**env, "CELERY_VISIBILITY_TIMEOUT": "50000", "REPORT_CLAIM_LEASE_SECONDS": "60"})
    assert json.loads(result.stdout)["visibility_timeout"] == 50000 and json.loads(result.stdout)["lease"] == 60
