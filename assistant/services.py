"""The quick assistant's writes: ask a question (with retrieval) and turn a conversation into a session."""

from django.db import transaction

from accounts.access import ensure_role
from accounts.models import User
from assistant.models import AssistantConversation, AssistantMessage
from assistant.retrieval import Citation, citations_for
from flowpilot import activity
from flowpilot import services as sessions
from flowpilot.ai import CopilotReply, CopilotRequest, ProposedStep, Provider, TriedStep, get_provider, routing
from flowpilot.ai.offline import match_rule
from flowpilot.models import Activity, Session, Step
from flowpilot.redact import redact
from flowpilot.search import refresh_search_vector
from resolutionflow.domain import Conflict, InvalidOperation

MAX_QUESTION_CHARS = 4000
HISTORY_TURNS = 10
PROPOSED_FIELDS = ("title", "detail", "command", "expected_result")
KNOWLEDGE_NOTE = (
    "Answer from the team's own knowledge where it fits; it is listed below. Say which resolved session or "
    "flow your answer follows."
)


def ask(
    user: User, text: str, *, conversation: AssistantConversation | None = None, provider: Provider | None = None
) -> AssistantConversation:
    """Record the question, answer it from the account's knowledge, record the answer.

    The question is committed before the AI call, so an AIError (re-raised) loses nothing typed.
    """
    ensure_role(user)
    text = text.strip()
    if not text:
        raise InvalidOperation("type a question for the assistant")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidOperation(f"a question is at most {MAX_QUESTION_CHARS} characters")
    if conversation is not None and conversation.session_id:
        raise InvalidOperation("this conversation is now a session: ask the copilot there")
    with transaction.atomic():
        if conversation is None:
            conversation = AssistantConversation.objects.create(account_id=user.account_id, user=user, title=text[:200])
        question = _message(conversation, AssistantMessage.Role.USER, text)
        AssistantConversation.objects.filter(pk=conversation.pk).update(updated_at=question.created_at)
    provider = provider or get_provider()
    citations = citations_for(user, text if len(text) > 20 else f"{conversation.title} {text}")
    reply = provider.ask(_request(conversation, question, citations, provider), task=routing.ASSISTANT)
    with transaction.atomic():
        _message(
            conversation,
            AssistantMessage.Role.ASSISTANT,
            _answer_text(reply, citations, provider),
            model=reply.model,
            tier=reply.tier,
            rule_based=provider.is_rule_based,
            steps=[vars(step) for step in reply.steps],
            citations=[c.as_dict() for c in citations],
        )
    return conversation


def _message(conversation: AssistantConversation, role: str, text: str, **fields) -> AssistantMessage:
    return AssistantMessage.objects.create(
        conversation=conversation, account_id=conversation.account_id, role=role, text=text, **fields
    )


def _request(
    conversation: AssistantConversation, question: AssistantMessage, citations: list[Citation], provider: Provider
) -> CopilotRequest:
    earlier = list(conversation.messages.exclude(pk=question.pk).order_by("-created_at")[:HISTORY_TURNS])[::-1]
    suggested = [step for m in earlier for step in m.steps]
    ask_text = redact(question.text)
    if citations and not provider.is_rule_based:
        # The rule-based provider matches rules on the question's words: the knowledge would skew it.
        ask_text += "\n\n" + KNOWLEDGE_NOTE + "\n" + "\n".join(_cited_line(c) for c in citations)
    return CopilotRequest(
        problem_summary=redact(conversation.title),
        problem_domain=match_rule(conversation.title).domain,
        question=ask_text,
        # Steps already suggested count as on the checklist, so a follow-up moves on rather than repeats.
        tried=[TriedStep(title=s.get("title", ""), status=Step.Status.PROPOSED) for s in suggested],
        history=[{"role": m.role, "text": redact(m.text)} for m in earlier],
    )


def _cited_line(citation: Citation) -> str:
    what = "Resolved session" if citation.kind == "session" else "Published flow"
    return f"- {what}: {redact(citation.title)} — {redact(citation.summary) or 'no summary'}"


def _answer_text(reply: CopilotReply, citations: list[Citation], provider: Provider) -> str:
    """The provider's answer; the rule-based one is told what the team did last time first."""
    solved = next((c for c in citations if c.kind == "session" and c.summary), None)
    if provider.is_rule_based and solved:
        summary = solved.summary.rstrip(" .")
        return f"Your team solved a similar problem before (“{solved.title}”): {summary}. {reply.reply}"
    return reply.reply


def turn_into_session(conversation: AssistantConversation, user: User) -> Session:
    """A session holding every message of the conversation and its suggested steps as Steps."""
    ensure_role(user)
    messages = list(conversation.messages.order_by("created_at"))
    if not messages:
        raise InvalidOperation("ask a question first")
    with transaction.atomic():
        session = sessions.open_session(
            user, problem_summary=conversation.title, problem_domain=match_rule(conversation.title).domain
        )
        # Conditional: of two clicks only one links a session; the other's rolls back with its session.
        linked = AssistantConversation.objects.filter(pk=conversation.pk, session=None).update(session=session)
        if linked != 1:
            raise Conflict("this conversation was already turned into a session")
        for message in messages:
            _copy_message(session, user, message)
        refresh_search_vector(session.pk)
    conversation.session = session
    return session


def _copy_message(session: Session, user: User, message: AssistantMessage) -> None:
    origin = {"via": "assistant", "asked_at": message.created_at.isoformat()}
    if message.role == AssistantMessage.Role.USER:
        activity.record(session, user, Activity.Kind.MESSAGE, text=message.text, **origin)
        return
    reply = CopilotReply(
        reply=message.text,
        steps=[ProposedStep(**{key: str(step.get(key) or "") for key in PROPOSED_FIELDS}) for step in message.steps],
        model=message.model,
        tier=message.tier,
    )
    sessions.save_ai_reply(session, reply, rule_based=message.rule_based, citations=message.citations, **origin)
