"""The quick assistant: answers from the team's knowledge with citations, kept, and turned into a session whole."""

import pytest

from assistant import services
from assistant.models import AssistantConversation, AssistantMessage
from flowpilot import services as sessions
from flowpilot.ai import routing
from flowpilot.ai.anthropic_provider import STEPS_TOOL
from flowpilot.models import Activity, Session, Step
from resolutionflow.domain import Conflict, RoleRequired
from tests.support.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db

QUESTION = "Outlook keeps asking for the password after a reset"


def test_an_answer_cites_resolved_sessions_and_published_flows(engineer, resolved_outlook, outlook_flow):
    convo = services.ask(engineer, QUESTION)
    question, answer = convo.messages.all()
    assert question.role == "user" and question.text == QUESTION
    assert {(c["kind"], c["id"]) for c in answer.citations} == {
        ("session", str(resolved_outlook.pk)),
        ("flow", str(outlook_flow.pk)),
    }
    # The rule-based answer leads with what the team did last time, then the playbook's steps.
    assert "Removed the stale Office credential" in answer.text
    assert answer.steps and answer.rule_based and answer.tier == routing.OFFLINE


def test_citations_and_the_answer_carry_no_secrets(client_for, engineer):
    session = sessions.open_session(engineer, problem_summary="Outlook keeps prompting for a password pwd=Zq9Title55")
    sessions.resolve(session, engineer, "Reset the mailbox password: Zq9SecretValue77 and cleared the cache")
    convo = services.ask(engineer, QUESTION)
    answer = convo.messages.get(role="assistant")
    assert answer.citations and answer.citations[0]["id"] == str(session.pk)
    page = client_for(engineer).get(f"/assistant/{convo.pk}/").content.decode()
    for shown in (str(answer.citations), answer.text, page):
        assert "Zq9SecretValue77" not in shown and "Zq9Title55" not in shown
    assert "[REDACTED]" in answer.citations[0]["summary"]


def test_an_open_session_is_not_cited(engineer):
    sessions.open_session(engineer, problem_summary="Outlook keeps prompting for a password")
    answer = services.ask(engineer, QUESTION).messages.get(role="assistant")
    assert answer.citations == []


def test_the_page_shows_the_citations_as_links(client_for, engineer, resolved_outlook):
    response = client_for(engineer).post("/assistant/ask/", {"text": QUESTION}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Based on:" in html and f"/sessions/{resolved_outlook.pk}/" in html


def test_a_follow_up_moves_on_and_the_conversation_is_kept(client_for, engineer):
    client = client_for(engineer)
    client.post("/assistant/ask/", {"text": QUESTION})
    convo = AssistantConversation.objects.get()
    client.post(f"/assistant/{convo.pk}/", {"text": "Cleared the credentials, still prompting"})
    first, second = convo.messages.filter(role="assistant")
    assert {s["title"] for s in first.steps}.isdisjoint({s["title"] for s in second.steps})
    assert QUESTION in client.get("/assistant/").content.decode()


def test_turn_into_a_session_keeps_every_message_and_step(client_for, engineer, resolved_outlook):
    convo = services.ask(engineer, QUESTION)
    services.ask(engineer, "Cleared the credentials, still prompting", conversation=convo)
    kept = list(convo.messages.order_by("created_at"))

    response = client_for(engineer).post(f"/assistant/{convo.pk}/session/")

    convo.refresh_from_db()
    session = convo.session
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    log = session.activities.filter(kind__in=[Activity.Kind.MESSAGE, Activity.Kind.AI_REPLY]).order_by("created_at")
    assert [a.payload["text"] for a in log] == [m.text for m in kept]
    assert all(a.payload["via"] == "assistant" for a in log)
    suggested = [s["title"] for m in kept for s in m.steps]
    assert list(session.steps.order_by("order").values_list("title", flat=True)) == suggested
    assert set(session.steps.values_list("source", flat=True)) == {Step.Source.AI}
    assert log.filter(kind=Activity.Kind.AI_REPLY).first().payload["citations"] == kept[1].citations
    assert session.owner == engineer and session.problem_summary == QUESTION


def test_turning_twice_is_a_conflict_and_opens_no_second_session(engineer):
    convo = services.ask(engineer, QUESTION)
    services.turn_into_session(convo, engineer)
    with pytest.raises(Conflict):
        services.turn_into_session(AssistantConversation.objects.get(pk=convo.pk), engineer)
    assert Session.objects.filter(account=engineer.account).count() == 1


def test_the_second_click_answers_409(client_for, engineer):
    convo = services.ask(engineer, QUESTION)
    client = client_for(engineer)
    client.post(f"/assistant/{convo.pk}/session/")
    assert client.post(f"/assistant/{convo.pk}/session/").status_code == 409


def test_owner_may_ask(client_for, owner):
    response = client_for(owner).post("/assistant/ask/", {"text": QUESTION})
    assert response.status_code == 302


def test_a_viewer_cannot_ask_or_open_the_assistant(client_for, viewer):
    client = client_for(viewer)
    for response in (client.get("/assistant/"), client.post("/assistant/ask/", {"text": QUESTION})):
        assert response.status_code == 403
        assert "engineer or admin role required" in response.content.decode()
    with pytest.raises(RoleRequired):
        services.ask(viewer, QUESTION)


def test_another_account_or_a_colleague_sees_no_conversation(client_for, engineer, senior, outsider):
    convo = services.ask(engineer, QUESTION)
    for user in (outsider, senior):
        client = client_for(user)
        assert client.get(f"/assistant/{convo.pk}/").status_code == 404
        assert client.post(f"/assistant/{convo.pk}/session/").status_code == 404
    assert AssistantConversation.objects.get().session is None


def test_bad_input_is_a_clear_4xx(client_for, engineer):
    client = client_for(engineer)
    assert client.post("/assistant/ask/", {"text": "   "}).status_code == 400
    assert client.post("/assistant/ask/", {"text": "x" * 5000}).status_code == 400
    assert client.get("/assistant/not-a-uuid/").status_code == 404
    assert client.get("/assistant/ask/").status_code == 405
    assert not AssistantMessage.objects.exists()


def test_anthropic_answers_on_the_fast_model_with_the_knowledge_in_the_prompt(
    fake_anthropic, settings, engineer, resolved_outlook
):
    settings.AI_MODEL, settings.AI_MODEL_FAST, settings.AI_MODEL_DEEP = "", "claude-fast-test", "claude-deep-test"
    reply = {"reply": "Same as last time.", "steps": [{"title": "Clear creds", "detail": ""}], "confidence": 0.9}
    fake_anthropic.reply_with_tool(STEPS_TOOL, reply)
    answer = services.ask(engineer, QUESTION).messages.get(role="assistant")
    assert fake_anthropic.models == ["claude-fast-test"]
    prompt = fake_anthropic.requests[0]["body"]["messages"][0]["content"]
    assert "Resolved session: Outlook keeps prompting for a password" in prompt
    assert (answer.model, answer.text) == ("claude-fast-test", "Same as last time.")


def test_an_ai_failure_keeps_the_question(fake_anthropic, client_for, engineer):
    fake_anthropic.queue(FakeReply(status=500))
    response = client_for(engineer).post("/assistant/ask/", {"text": QUESTION}, follow=True)
    assert response.status_code == 200 and "could not answer" in response.content.decode()
    assert AssistantMessage.objects.get().text == QUESTION


def test_staff_read_conversations_in_admin_without_editing(client, django_user_model, engineer):
    convo = services.ask(engineer, QUESTION)
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="pw-123-long!")
    client.force_login(staff)
    page = client.get(f"/admin/assistant/assistantconversation/{convo.pk}/change/")
    assert page.status_code == 200 and QUESTION in page.content.decode()
    assert client.get("/admin/assistant/assistantconversation/add/").status_code == 403
