"""Handoff.problem_domain: a copy of the session's domain on every handoff (the dashboard's per domain reads it)."""

import importlib

import pytest
from django.apps import apps

from escalations import services
from escalations.models import Handoff
from escalations.tests.conftest import make_worked_session

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("escalations.migrations.0004_handoff_problem_domain_and_assessed_idx")


def test_escalate_park_and_release_copy_the_session_domain(engineer, senior):
    escalated = services.escalate(make_worked_session(engineer, problem_domain="identity"), engineer)
    parked = services.park(make_worked_session(engineer, "Printer offline", problem_domain="printing"), engineer)
    services.claim(escalated, senior)
    fresh = services.release(escalated, senior)

    assert [h.problem_domain for h in (escalated, parked, fresh)] == ["identity", "printing", "identity"]
    assert Handoff.objects.get(pk=fresh.pk).problem_domain == "identity"


def test_the_migration_fills_handoffs_written_before_the_column(engineer):
    handoff = services.escalate(make_worked_session(engineer, problem_domain="server"), engineer)
    Handoff.objects.filter(pk=handoff.pk).update(problem_domain="")

    backfill.copy_session_domains(apps, None)

    handoff.refresh_from_db()
    assert handoff.problem_domain == "server"
