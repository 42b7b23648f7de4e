"""``manage.py bootstrap``: what ``make run`` needs after ``migrate``, safe to run every time.

Loads the demo fleet into an empty database, makes sure there is an ``admin`` login (its
random password kept in ``var/admin-password.txt``, readable by the owner only, and reused
on later runs), gives it an API token, and prints where to go: the admin URL, the login,
the token, and where emails land.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token

from circularity.demo import DEFAULT_SEED, DEFAULT_SERVERS, DemoLoadRefused, existing_data, load_demo_fleet
from circularity.models import ComplianceReport, ReportRecipient
from circularity.periods import add_months, current_month

ADMIN_USERNAME = "admin"
DEMO_RECIPIENT = "compliance@example.com"


def password_file() -> Path:
    return Path(settings.VAR_DIR) / "admin-password.txt"


def write_secret(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text + "\n")
    path.chmod(0o600)


class Command(BaseCommand):
    help = "Load the demo fleet into an empty database, ensure the admin login and its API token, print the URLs."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo fleet.")
        parser.add_argument(
            "--servers", type=int, help=f"Servers in the demo fleet (default: $DEMO_SERVERS or {DEFAULT_SERVERS})."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Demo seed (default {DEFAULT_SEED}).")

    def handle(self, *args, no_demo, servers, seed, verbosity, **options):
        if servers is None:
            text = os.environ.get("DEMO_SERVERS") or str(DEFAULT_SERVERS)
            if not text.isdigit():
                raise CommandError(f"DEMO_SERVERS={text!r} is not a number of servers, e.g. 2000.")
            servers = int(text)
        if not no_demo:
            self.load_demo(servers=servers, seed=seed, progress=verbosity > 0)
        password = self.ensure_admin()
        token = Token.objects.get_or_create(user=get_user_model().objects.get(username=ADMIN_USERNAME))[0]
        self.print_welcome(password, token.key)

    def load_demo(self, *, servers: int, seed: int, progress: bool) -> None:
        found = existing_data()
        if found:
            self.stdout.write("Demo fleet: not loaded, the database already holds data.")
            return
        self.stdout.write(f"Demo fleet: loading {servers} servers (seed {seed}); about 10 s a thousand servers...")
        try:
            summary = load_demo_fleet(servers=servers, seed=seed, progress=progress)
        except DemoLoadRefused as refused:  # another process loaded it meanwhile
            self.stdout.write(f"Demo fleet: not loaded. {refused}")
            return
        self.stdout.write(f"Demo fleet: loaded {summary.counts['assets']:,} assets.")
        # The monthly report needs someone to send to; the demo's goes to the outbox.
        ReportRecipient.objects.get_or_create(email=DEMO_RECIPIENT, defaults={"name": "Compliance team (demo)"})

    def ensure_admin(self) -> str | None:
        """The admin's password if known (from the password file), creating the login if needed."""
        User = get_user_model()
        path = password_file()
        saved = path.read_text().strip() if path.exists() else ""
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=ADMIN_USERNAME).first()
            if user is None:
                password = saved or secrets.token_urlsafe(15)
                User.objects.create_superuser(ADMIN_USERNAME, email="admin@localhost", password=password)
                if password != saved:
                    write_secret(path, password)
                return password
        if saved and user.check_password(saved):
            return saved
        return None  # changed by a person since: never reset it behind their back

    @staticmethod
    def report_lines(base: str) -> list[str]:
        """How to send last month's report now: a command that works in the state the database is in.

        No recipient: the command would fail, so where to add one instead. Already sent (the
        beat job, or an earlier run): the explicit re-send.
        """
        last_month = add_months(current_month(), -1)
        command = f".venv/bin/python manage.py send_compliance_report --month {last_month:%Y-%m}"
        if not ReportRecipient.objects.filter(active=True).exists():
            return [
                "  Report:    sent by Celery beat on the 1st of each month to its recipients; add one first:",
                f"             {base}{reverse('admin:circularity_reportrecipient_add')}",
            ]
        if ComplianceReport.objects.filter(period=last_month, sent_at__isnull=False).exists():
            return [
                f"  Report:    {last_month:%Y-%m} was sent (Celery beat sends each month on the 1st); again:",
                f"             {command} --resend",
            ]
        return [
            "  Report:    sent by Celery beat on the 1st of each month; to send last month's now:",
            f"             {command}",
        ]

    def print_welcome(self, password: str | None, token: str) -> None:
        port = os.environ.get("PORT") or "8000"
        base = f"http://127.0.0.1:{port}"
        if password is None:
            # Runnable as printed, from the project directory (a bare `manage.py` is not on the PATH).
            password_text = (
                f"(not in {password_file()}; set one with: .venv/bin/python manage.py changepassword {ADMIN_USERNAME})"
            )
        else:
            password_text = f"{password}   (saved in {password_file()})"
        if settings.EMAIL_BACKEND == "assetlife.mail.EmlFileBackend":
            email_text = f"written as .eml files to {settings.EMAIL_OUTBOX_DIR}/ (no SMTP configured)"
        elif settings.EMAIL_HOST:
            email_text = f"sent through SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        else:
            email_text = f"handled by {settings.EMAIL_BACKEND}"
        lines = [
            "",
            "AssetLife is ready.",
            f"  Admin:     {base}/admin/",
            f"  Username:  {ADMIN_USERNAME}",
            f"  Password:  {password_text}",
            f"  API:       {base}/api/v1/   (docs: {base}/api/v1/docs/)",
            f"  API token: {token}   (header: Authorization: Token {token})",
            f"  Emails:    {email_text}",
            *self.report_lines(base),
            "",
        ]
        self.stdout.write("\n".join(lines))
