"""``manage.py bootstrap``: what ``make run`` runs after ``migrate``, idempotent."""

import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from inventory.models import Asset
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.EMAIL_BACKEND = "assetlife.mail.EmlFileBackend"


def bootstrap(*args) -> str:
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def test_first_run_loads_the_demo_creates_the_admin_and_prints_where_to_go(settings, tmp_path):
    text = bootstrap("--servers=10")

    assert Asset.objects.count() > 10 * 15
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    password_file = tmp_path / "var" / "admin-password.txt"
    password = password_file.read_text().strip()
    assert admin.check_password(password) and len(password) >= 16
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    token = Token.objects.get(user=admin).key
    assert "http://127.0.0.1:8000/admin/" in text
    assert "Username:  admin" in text
    assert f"Password:  {password}" in text
    assert f"API token: {token}" in text
    assert f"Emails:    written as .eml files to {settings.EMAIL_OUTBOX_DIR}/" in text
    assert "manage.py send_compliance_report --month" in text


def test_the_demo_has_a_report_recipient_so_the_monthly_email_has_somewhere_to_go():
    from circularity.models import ReportRecipient

    bootstrap("--servers=10")
    assert list(ReportRecipient.objects.values_list("email", "active")) == [("compliance@example.com", True)]


def test_a_second_run_changes_nothing_and_prints_the_same_login():
    first = bootstrap("--servers=10")
    counts = (Asset.objects.count(), get_user_model().objects.count(), Token.objects.count())
    second = bootstrap("--servers=10")
    assert (Asset.objects.count(), get_user_model().objects.count(), Token.objects.count()) == counts
    assert "the database already holds data" in second
    assert first.split("AssetLife is ready.")[1] == second.split("AssetLife is ready.")[1]


def test_a_saved_password_is_reused_for_a_new_database(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "admin-password.txt").write_text("kept-from-last-time-123\n")
    text = bootstrap("--no-demo")
    assert get_user_model().objects.get(username="admin").check_password("kept-from-last-time-123")
    assert "Password:  kept-from-last-time-123" in text


def test_a_password_changed_by_a_person_is_never_reset():
    bootstrap("--no-demo")
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-a-person-456")
    admin.save()
    text = bootstrap("--no-demo")
    admin.refresh_from_db()
    assert admin.check_password("chosen-by-a-person-456")
    assert "changepassword admin" in text


def test_an_existing_database_gets_no_demo_fleet():
    SiteFactory()
    UserFactory(username="someone")
    text = bootstrap("--servers=10")
    assert "not loaded, the database already holds data" in text
    assert not Asset.objects.exists()


def test_the_port_in_the_urls_follows_PORT(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    text = bootstrap("--no-demo")
    assert "http://127.0.0.1:8123/admin/" in text
    assert "http://127.0.0.1:8123/api/v1/docs/" in text


def test_demo_servers_sets_the_fleet_size_and_a_bad_one_is_named(monkeypatch):
    monkeypatch.setenv("DEMO_SERVERS", "lots")
    with pytest.raises(CommandError, match="DEMO_SERVERS='lots' is not a number of servers"):
        bootstrap()
    assert not Asset.objects.exists()
    monkeypatch.setenv("DEMO_SERVERS", "10")
    bootstrap()
    assert Asset.objects.filter(parent__isnull=True, asset_tag__isnull=False).count() == 10


def suggested_report_command(text: str) -> list[str] | None:
    """The ``manage.py send_compliance_report ...`` line start-up prints, as arguments."""
    import shlex

    for line in text.splitlines():
        if "manage.py send_compliance_report" in line:
            words = shlex.split(line.strip())
            return words[words.index("manage.py") + 1 :]
    return None


def run_suggested(text: str) -> str:
    command = suggested_report_command(text)
    assert command is not None, text
    out = StringIO()
    call_command(*command, stdout=out)  # a CommandError here is a suggestion that fails
    return out.getvalue()


def test_the_report_command_start_up_suggests_works_then_and_after_the_month_was_sent():
    first = bootstrap("--servers=10")
    assert "Compliance report" in run_suggested(first)
    again = bootstrap("--servers=10")
    assert "--resend" in suggested_report_command(again)
    assert "Compliance report" in run_suggested(again)


def test_without_a_recipient_start_up_says_where_to_add_one_instead_of_a_command_that_would_fail():
    text = bootstrap("--no-demo")
    assert suggested_report_command(text) is None
    assert "/admin/circularity/reportrecipient/add/" in text
    with pytest.raises(CommandError):  # what the command would have said
        call_command("send_compliance_report", stdout=StringIO())
