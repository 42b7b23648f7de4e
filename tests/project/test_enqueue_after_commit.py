"""Tasks asked for by a write are enqueued after its commit, never before, never on a rollback.

Celery's ``delay_on_commit`` (``transaction.on_commit``) is the only way the code enqueues a
task; a worker that picked a task up before its write committed would not see the write,
and a rolled-back write must leave nothing queued. ``test_workers.py`` checks the broker
itself on Redis.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from circularity.models import ComplianceReport, ReportRecipient
from circularity.reports import send
from circularity.tasks import send_compliance_report
from tests.circularity.report_data import build_fleet
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path for path in ROOT.rglob("*.py") if not {".venv", "tests", "var", "bench"} & set(path.relative_to(ROOT).parts)
]
ENQUEUE = re.compile(r"\.(delay|apply_async)\(")
# Modules allowed to publish a task directly: each must defer to ``transaction.on_commit``
# when it is called inside a transaction: ``assetlife.enqueue`` (publishes at once only
# outside one, so a broker outage can be told to the person who asked).
PUBLISHERS: set[str] = {"assetlife/enqueue.py"}


def test_no_code_enqueues_a_task_before_its_transaction_commits():
    assert len(SOURCES) > 50
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        if str(path.relative_to(ROOT)) not in PUBLISHERS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ENQUEUE.search(line)
    ]
    assert found == [], "enqueue with .delay_on_commit() / .apply_async_on_commit() instead"


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_a_re_send_asked_in_a_rolled_back_transaction_is_never_enqueued(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    build_fleet()
    ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")
    send.send_report(month=dt.date(2022, 3, 1))
    report = ComplianceReport.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    enqueued = []
    monkeypatch.setattr(send_compliance_report, "apply_async", lambda *args, **kwargs: enqueued.append(args))
    resend = {"action": "resend", "_selected_action": [report.pk]}
    changelist = reverse("admin:circularity_compliancereport_changelist")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        client.post(changelist, resend)
        raise Rollback
    assert (callbacks, enqueued) == ([], [])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(changelist, resend)
        assert enqueued == []  # the test's transaction has not committed yet
    assert len(callbacks) == 1 and len(enqueued) == 1
