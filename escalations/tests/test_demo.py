"""seed_demo's escalation part: open escalations with ready assessments and a parked session, idempotent."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import demo as accounts_demo
from escalations import demo
from escalations.models import Handoff, NotificationLog


def test_demo_seeds_open_escalations_and_a_parked_session_once(db, django_capture_on_commit_callbacks):
    accounts = accounts_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):  # the assessments run after commit, as in seed_demo
        demo.seed(accounts)
        demo.seed(accounts)
    northwind, users = accounts["northwind"]
    escalations = Handoff.objects.filter(account=northwind, intent="escalate", claimed_at__isnull=True)
    assert escalations.count() == 3
    assert all(h.assessment_status == "ready" and h.ai_assessment["suggested_steps"] for h in escalations)
    assert {h.handed_off_by for h in escalations} <= {users["junior1"], users["junior2"]}
    assert all(h.session.status == "escalated" for h in escalations)
    parked = Handoff.objects.get(account=northwind, intent="park")
    assert parked.session.status == "parked"
    assert list(Handoff.objects.exclude(account=northwind)) == []


def test_demo_goes_through_the_services_and_is_back_dated(db):
    accounts = accounts_demo.seed()
    demo.seed(accounts)
    northwind, _ = accounts["northwind"]
    for handoff in Handoff.objects.filter(account=northwind):
        kinds = list(handoff.session.activities.values_list("kind", flat=True))
        assert kinds[0] == "opened" and kinds[-1] == handoff.intent + ("d" if handoff.intent == "escalate" else "ed")
        assert handoff.snapshot["counts"]["steps"] >= 1
        assert handoff.session.created_at < handoff.created_at < timezone.now() - timedelta(minutes=5)
        assert handoff.session.activities.latest("created_at").created_at == handoff.created_at


@pytest.mark.django_db(transaction=True)  # seed_demo commits: its side effects run as in production
def test_seed_demo_runs_the_side_effects_but_keeps_demo_emails_in_memory(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    call_command("seed_demo", stdout=StringIO())

    emails = NotificationLog.objects.filter(channel=NotificationLog.Channel.EMAIL)
    assert emails.exists() and not emails.exclude(status=NotificationLog.Status.SENT).exists()
    assert list(tmp_path.iterdir()) == []  # nothing reached the configured backend
    assert all(h.assessment_status == "ready" for h in Handoff.objects.filter(intent="escalate", claimed_at=None))
