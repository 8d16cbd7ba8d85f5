"""Pages of the quick assistant and the command palette's results endpoint."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import account_required, get_for_account, role_required, scoped
from accounts.models import ENGINEER_OR_ADMIN
from assistant import palette, services
from assistant.forms import AskForm
from assistant.models import AssistantConversation
from assistant.services import MAX_QUESTION_CHARS
from flowpilot.ai import AIError, get_provider
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error

RECENT_CONVERSATIONS = 20


@require_GET
@account_required
def palette_results(request):
    """The palette's result groups for `?q=` (the dialog's htmx target; any role, own account only)."""
    q = palette.clean_query(request.GET.get("q", ""))
    groups = palette.results(request.user, q)
    return render(request, "assistant/palette.html#results", {"groups": groups, "q": q})


def _own(request):
    # A conversation is its asker's scratchpad: a colleague's looks like one that does not exist.
    return AssistantConversation.objects.filter(user=request.user)


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def home(request):
    conversations = scoped(_own(request), request.user)[:RECENT_CONVERSATIONS]
    # The palette's "Ask the assistant about …" arrives with the typed words as ?q=.
    form = AskForm(initial={"text": request.GET.get("q", "")[:MAX_QUESTION_CHARS]})
    return render(request, "assistant/home.html", {"form": form, "conversations": conversations, **_labels()})


@require_http_methods(["GET", "POST"])
@role_required(ENGINEER_OR_ADMIN)
def conversation(request, conversation_id):
    convo = get_for_account(_own(request), request.user, pk=conversation_id)
    form = AskForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, convo, form, first_form_error(form), status=400)
        try:
            services.ask(request.user, form.cleaned_data["text"], conversation=convo)
        except AIError as exc:
            return _page(request, convo, AskForm(), f"The assistant could not answer: {exc.message}", status=502)
        except DomainError as exc:
            return _page(request, convo, form, exc.message, status=exc.status_code)
        return redirect("assistant:conversation", conversation_id=convo.pk)
    return _page(request, convo, form)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def ask_new(request):
    form = AskForm(request.POST)
    if not form.is_valid():
        return render(request, "assistant/home.html", {"form": form, "error": first_form_error(form)}, status=400)
    try:
        convo = services.ask(request.user, form.cleaned_data["text"])
    except AIError as exc:
        messages.error(request, f"The assistant could not answer: {exc.message} Your question was kept.")
        convo = _own(request).first()
        return redirect("assistant:conversation", conversation_id=convo.pk) if convo else redirect("assistant:home")
    except DomainError as exc:
        return render(request, "assistant/home.html", {"form": form, "error": exc.message}, status=exc.status_code)
    return redirect("assistant:conversation", conversation_id=convo.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def to_session(request, conversation_id):
    convo = get_for_account(_own(request), request.user, pk=conversation_id)
    try:
        session = services.turn_into_session(convo, request.user)
    except DomainError as exc:
        return _page(request, convo, AskForm(), exc.message, status=exc.status_code)
    messages.success(request, "The conversation is now a session: every message and suggested step is on it.")
    return redirect("flowpilot:detail", session_id=session.pk)


def _page(request, convo, form, error: str = "", status: int = 200) -> HttpResponse:
    context = {"conversation": convo, "chat": convo.messages.all(), "form": form, "error": error, **_labels()}
    return render(request, "assistant/conversation.html", context, status=status)


def _labels() -> dict:
    return {"provider": get_provider()}
