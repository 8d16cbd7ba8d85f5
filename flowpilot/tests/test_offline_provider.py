"""The rule-based copilot: covers the common MSP problems and builds on what was tried."""

import pytest

from flowpilot.ai import CopilotRequest, TriedStep, get_provider
from flowpilot.ai.offline import OfflineProvider, match_rule


def test_offline_provider_is_the_default_and_labelled_rule_based():
    provider = get_provider()
    assert isinstance(provider, OfflineProvider)
    assert provider.is_rule_based is True
    assert "Rule-based" in provider.label


@pytest.mark.parametrize(
    ("summary", "domain", "rule"),
    [
        ("VPN disconnects every few minutes for a remote user", "networking", "vpn"),
        ("User account keeps getting locked out", "identity", "ad_lockout"),
        ("Internal DNS names do not resolve on the new laptops", "networking", "dns"),
        ("External emails not arriving, senders get an NDR", "email", "mail_flow"),
        ("Outlook keeps prompting for a password", "email", "outlook_password"),
        ("New phone, Authenticator MFA prompts fail", "identity", "mfa"),
        ("Printer on 2nd floor shows offline, print queue stuck", "printing", "printer"),
        ("C: drive is full on the file server", "server", "disk_full"),
        ("Browser says the intranet certificate expired", "security", "certificate"),
        ("Laptop Wi-Fi keeps disconnecting in the meeting room", "networking", "wifi"),
        ("Nightly Veeam backup job failed", "server", "backup"),
    ],
)
def test_offline_rules_cover_common_msp_problems(summary, domain, rule):
    assert match_rule(summary, domain).key == rule
    reply = OfflineProvider().ask(CopilotRequest(problem_summary=summary, problem_domain=domain, question=summary))
    assert len(reply.steps) == 4
    assert all(step.title and step.detail is not None for step in reply.steps)


def test_unknown_problem_gets_generic_scoping_steps():
    reply = OfflineProvider().ask(CopilotRequest(problem_summary="Something odd", problem_domain="other", question="?"))
    assert reply.steps[0].title == "Scope the impact"


def test_follow_up_skips_dead_end_and_says_so():
    first = OfflineProvider().ask(
        CopilotRequest(problem_summary="Outlook keeps prompting for a password", problem_domain="email", question="go")
    )
    tried = [
        TriedStep(title=first.steps[0].title, status="done"),
        TriedStep(title=first.steps[1].title, status="failed", result_note="no entries", is_dead_end=True),
        TriedStep(title=first.steps[2].title, status="proposed"),
        TriedStep(title=first.steps[3].title, status="proposed"),
    ]
    follow_up = OfflineProvider().ask(
        CopilotRequest(
            problem_summary="Outlook keeps prompting for a password",
            problem_domain="email",
            question="still prompting",
            tried=tried,
            history=[{"role": "user", "text": "go"}],
        )
    )
    proposed = {s.title for s in follow_up.steps}
    assert not proposed & {t.title for t in tried}
    assert follow_up.steps
    assert f"“{first.steps[1].title}” as a dead end, so I'm not suggesting that path again" in follow_up.reply


def test_follow_up_mentions_failed_step_with_its_note():
    reply = OfflineProvider().ask(
        CopilotRequest(
            problem_summary="Printer offline",
            problem_domain="printing",
            question="next?",
            tried=[
                TriedStep(
                    title="Ping the printer by its configured port address", status="failed", result_note="no reply"
                )
            ],
        )
    )
    assert "failed (Ping the printer by its configured port address: no reply)" in reply.reply


def test_follow_up_when_playbook_exhausted_suggests_escalating():
    rule = match_rule("Nightly Veeam backup job failed")
    tried = [TriedStep(title=s.title, status="done") for s in rule.steps]
    reply = OfflineProvider().ask(
        CopilotRequest(
            problem_summary="Nightly Veeam backup job failed", problem_domain="server", question="?", tried=tried
        )
    )
    assert reply.steps == []
    assert "escalate" in reply.reply


def test_offline_assess_uses_domain_keywords_and_failed_steps():
    snapshot = {
        "summary": "Account keeps locking out",
        "domain": "identity",
        "steps": [
            {"title": "Find the lockout source on the PDC emulator", "status": "failed", "is_dead_end": True},
            {"title": "Clear saved Windows credentials on the user's PC", "status": "done"},
        ],
        "recent_messages": [],
        "notes": [],
    }
    assessment = OfflineProvider().assess(snapshot, timeout=1)
    assert "old password" in assessment.likely_cause
    assert "Already ruled out: Find the lockout source on the PDC emulator" in assessment.likely_cause
    assert 3 <= len(assessment.suggested_steps) <= 5
    assert "Find the lockout source on the PDC emulator" not in assessment.suggested_steps
    assert 0 <= assessment.confidence <= 1
    assert assessment.model == "offline-rules-v1"


def test_offline_assess_with_unknown_problem_is_low_confidence_but_has_three_steps():
    assessment = OfflineProvider().assess({"summary": "weird", "domain": "other", "steps": []}, timeout=1)
    assert assessment.confidence < 0.4
    assert len(assessment.suggested_steps) >= 3
