"""Item 5 of issue 13: assessments that don't contradict the evidence (offline provider and the Anthropic prompt)."""

import pytest

from flowpilot.ai import evidence
from flowpilot.ai.anthropic_provider import ASSESS_SYSTEM, COPILOT_SYSTEM, assess_prompt, copilot_prompt
from flowpilot.ai.base import CopilotRequest, TriedStep
from flowpilot.ai.offline import OfflineProvider, match_rule
from flowpilot.ai.offline_rules import CAUSES, GENERIC, RULES

ALL_RULES = (*RULES, GENERIC)


def snapshot(summary, domain, steps, notes=""):
    return {"summary": summary, "domain": domain, "steps": steps, "notes": [], "escalator_notes": notes}


def step(title, status, dead_end=False):
    return {"title": title, "status": status, "is_dead_end": dead_end}


def test_every_rule_has_causes_pointing_at_its_own_steps():
    for rule in ALL_RULES:
        assert CAUSES[rule.key], rule.key
        for cause in CAUSES[rule.key]:
            assert all(0 <= i < len(rule.steps) for i in cause.tested_by), (rule.key, cause)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.key)
@pytest.mark.parametrize("status", ["done", "failed"])
def test_likely_cause_is_never_one_already_ruled_out(rule, status):
    """Rule out the causes one by one: the assessment always moves on, never repeats one."""
    summary = rule.keywords[0] if rule.keywords else "something odd"
    tried = []
    for cause in CAUSES[rule.key]:
        tried += [step(rule.steps[i].title, status) for i in cause.tested_by]
        result = OfflineProvider().assess(snapshot(summary, rule.domain, tried), timeout=1)
        ruled_out = [c.text for c in CAUSES[rule.key] if any(rule.steps[i].title in str(tried) for i in c.tested_by)]
        assert not any(result.likely_cause.startswith(text) for text in ruled_out), (result.likely_cause, ruled_out)
        titles = [s["title"] for s in tried]
        assert not any(evidence.same_step(s, t) for s in result.suggested_steps for t in titles), result


def test_outlook_with_cached_credentials_failed_does_not_blame_cached_credentials():
    """The walk-through's contradiction: cause 'stale cached credentials' beside 'already ruled out: clear them'."""
    steps = [
        step("Clear cached credentials", "failed", dead_end=True),
        step("Check modern auth on the tenant", "done"),
        step("Test OWA sign-in", "proposed"),
    ]
    result = OfflineProvider().assess(
        snapshot("Outlook prompts for a password every few minutes", "email", steps), timeout=1
    )
    assert "cached" not in result.likely_cause.split(".")[0].lower()
    assert "modern auth" not in result.likely_cause.split(".")[0].lower()
    assert not any("Clear cached" in s or "modern authentication" in s for s in result.suggested_steps)


def test_a_recreated_profile_is_not_suggested_again_under_another_name():
    steps = [step("Recreate the Outlook profile", "failed")]
    result = OfflineProvider().assess(snapshot("Outlook keeps prompting for a password", "email", steps), timeout=1)
    assert "Create a fresh Outlook profile" not in result.suggested_steps


def test_when_every_cause_is_ruled_out_the_cause_says_so_with_low_confidence():
    rule = match_rule("Nightly Veeam backup job failed")
    steps = [step(s.title, "done") for s in rule.steps]
    result = OfflineProvider().assess(snapshot("Nightly Veeam backup job failed", "server", steps), timeout=1)
    assert result.likely_cause.startswith("The usual causes of this problem are ruled out")
    assert result.confidence < 0.4 and len(result.suggested_steps) >= 1


@pytest.mark.parametrize(
    "summary",
    [
        "VPN drops for all users at the Leeds office",
        "Site-wide outage: nobody can connect to the VPN",
        "The whole office lost VPN since the firewall update",
        "VPN drops for the whole sales team",
        "All remote users get a certificate warning on the VPN",
    ],
)
def test_site_wide_problems_are_not_called_the_users(summary):
    result = OfflineProvider().assess(snapshot(summary, "networking", []), timeout=1)
    text = " ".join([result.likely_cause, *result.suggested_steps]).lower()
    assert "the user's" not in text and "the user " not in text
    reply = OfflineProvider().ask(CopilotRequest(problem_summary=summary, problem_domain="networking", question=""))
    assert "the user's" not in " ".join([reply.reply, *(s.title for s in reply.steps)]).lower()


def test_one_users_problem_keeps_per_user_wording():
    result = OfflineProvider().assess(snapshot("VPN drops every 10 minutes for one user", "networking", []), timeout=1)
    assert "the user's network" in result.likely_cause


def test_picked_up_session_is_never_told_to_escalate():
    rule = match_rule("Nightly Veeam backup job failed")
    tried = [TriedStep(title=s.title, status="done") for s in rule.steps]
    request = CopilotRequest(
        problem_summary="Nightly Veeam backup job failed", problem_domain="server", question="?", tried=tried
    )
    assert "escalate" in OfflineProvider().ask(request).reply.lower()
    request.picked_up = True
    assert "escalat" not in OfflineProvider().ask(request).reply.lower()


def test_anthropic_prompts_carry_the_same_rules():
    for system in (ASSESS_SYSTEM, COPILOT_SYSTEM):
        assert "already ruled out" in system and "Never suggest a step that was already done or failed" in system
        assert "one user's problem" in system
    prompt = assess_prompt(snapshot("Email down for all users", "email", [step("Check the quarantine", "done")]))
    assert "Already done or failed (do not suggest again): Check the quarantine" in prompt
    assert "whole site are affected" in prompt
    request = CopilotRequest(problem_summary="Printer offline", problem_domain="printing", question="next?")
    assert "Never suggest escalating" not in copilot_prompt(request)
    request.picked_up = True
    assert "Never suggest escalating" in copilot_prompt(request)
