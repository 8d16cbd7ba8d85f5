"""JSON API for sessions, steps, copilot messages, resolve and ticket notes (SPEC section 7)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import ReadMemberWriteEngineer
from flowpilot import hooks, search, selectors, services
from flowpilot import notes as ticket_notes
from flowpilot.activity import record_notes_export
from flowpilot.ai import AIError
from flowpilot.forms import OUTPUT_MAX, SUMMARY_MAX, TEXT_MAX, SessionFilterForm
from flowpilot.models import ProblemDomain, Session, Step
from resolutionflow.api import StrictCharField
from resolutionflow.text import validate_name

# Temporary upstream trouble (retry later) vs. an answer we could not use.
AI_ERROR_STATUS = {"timeout": 503, "rate_limited": 503, "connection": 503}


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = [
            "id", "order", "title", "detail", "command", "expected_result", "source", "status",
            "result_note", "output", "output_truncated", "is_dead_end", "created_at", "updated_at",
        ]  # fmt: skip


class SessionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.display_name", read_only=True)
    assignee = serializers.CharField(source="assignee.display_name", read_only=True, default=None)

    class Meta:
        model = Session
        fields = [
            "id", "status", "problem_summary", "problem_domain", "client_name", "ticket_ref", "owner",
            "assignee", "resolution_summary", "created_at", "updated_at", "resolved_at",
        ]  # fmt: skip


class SearchResultSerializer(SessionSerializer):
    snippet = serializers.SerializerMethodField(
        help_text="With `q`: an excerpt with matches in <mark> (HTML, escaped, secrets redacted); else null."
    )

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "snippet"]

    def get_snippet(self, session) -> str | None:
        return self.context.get("snippets", {}).get(session.pk)


class SessionDetailSerializer(SessionSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "steps"]

    def get_fields(self):
        fields = super().get_fields()
        # Apps above flowpilot add their fields (e.g. flows' `flow_run`) without flowpilot importing them;
        # as serializer fields, so the OpenAPI schema shows them too.
        for extra in hooks.session_api_fields():
            fields.update(extra)
        return fields


class OpenSessionSerializer(serializers.Serializer):
    problem_summary = StrictCharField(max_length=SUMMARY_MAX)
    problem_domain = serializers.ChoiceField(choices=ProblemDomain.choices, required=False, allow_blank=True)
    client_name = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[validate_name]
    )
    ticket_ref = StrictCharField(
        max_length=64, required=False, allow_blank=True, default="", validators=[validate_name]
    )


class StepInputSerializer(serializers.Serializer):
    step = serializers.UUIDField(required=False, help_text="Record a result on this existing step instead.")
    title = StrictCharField(max_length=200, required=False)
    detail = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    command = StrictCharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Step.Status.choices, required=False)
    result_note = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    output = StrictCharField(max_length=OUTPUT_MAX, required=False, allow_blank=True, trim_whitespace=False)
    is_dead_end = serializers.BooleanField(required=False)

    def validate(self, data):
        if "step" not in data and not data.get("title", "").strip():
            raise serializers.ValidationError({"title": "a new step needs a title"})
        return data


class MessageSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX)


class ReplyStepSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    detail = serializers.CharField()
    command = serializers.CharField()


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()
    steps = ReplyStepSerializer(many=True)


class ResolveSerializer(serializers.Serializer):
    resolution_summary = StrictCharField(max_length=TEXT_MAX)


def _session(request, session_id) -> Session:
    return get_for_account(Session.objects.select_related("owner", "assignee"), request.user, pk=session_id)


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Text over summary, steps (title, detail, command), results, output, "
        'notes and resolution; websearch syntax ("a phrase", -exclude, or). Ranked on PostgreSQL: '
        "the newest 1,000 matching sessions, best match first (add words or filters to reach older ones).",
    ),
    OpenApiParameter("client", str, description="Client name contains."),
    OpenApiParameter("ticket", str, description="Ticket reference contains."),
    OpenApiParameter("domain", str, enum=ProblemDomain.values),
    OpenApiParameter("status", str, enum=Session.Status.values),
    OpenApiParameter("assignee", str, description="`me` or a user id: who works the session now."),
    OpenApiParameter("opened_after", OpenApiTypes.DATE, description="Opened on or after this day (YYYY-MM-DD)."),
    OpenApiParameter("opened_before", OpenApiTypes.DATE, description="Opened on or before this day (YYYY-MM-DD)."),
    OpenApiParameter("scope", str, enum=["mine", "team", "all"], default="all"),
]


class SessionListView(generics.ListAPIView):
    """Sessions of the account; with `q`, best matches first and each with a `snippet`. Bad filters → 400."""

    permission_classes = [ReadMemberWriteEngineer]
    serializer_class = SearchResultSerializer

    def get_queryset(self):
        form = SessionFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        self.filters = {**form.cleaned_data, "scope": form.cleaned_data["scope"] or "all"}
        return selectors.sessions_for(self.request.user, **self.filters)

    def get_serializer(self, *args, **kwargs):
        if args and self.filters["q"]:
            page = list(args[0])
            context = {
                **self.get_serializer_context(),
                "snippets": search.snippets([s.pk for s in page], self.filters["q"]),
            }
            return SearchResultSerializer(page, *args[1:], **{**kwargs, "context": context})
        return super().get_serializer(*args, **kwargs)

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=SearchResultSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=OpenSessionSerializer, responses={201: SessionDetailSerializer})
    def post(self, request):
        data = OpenSessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.open_session(request.user, **data.validated_data)
        return Response(SessionDetailSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=SessionDetailSerializer)
    def get(self, request, session_id):
        return Response(SessionDetailSerializer(_session(request, session_id)).data)


class SessionStepsView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=StepInputSerializer, responses={201: StepSerializer, 200: StepSerializer})
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = StepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        step_id = fields.pop("step", None)
        if step_id is None:
            step = services.add_step(session, request.user, **fields)
            return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)
        step = get_for_account(Step.objects.filter(session=session), request.user, pk=step_id)
        result = {k: v for k, v in fields.items() if k in ("status", "result_note", "output", "is_dead_end")}
        step = services.record_result(step, request.user, **result)
        return Response(StepSerializer(step).data)


class SessionMessagesView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=MessageSerializer, responses={201: ReplySerializer})
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = MessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            turn = services.ask_copilot(session, request.user, data.validated_data["text"])
        except AIError as exc:
            body = {"detail": exc.message, "error_kind": exc.kind, "message_recorded": True}
            return Response(body, status=AI_ERROR_STATUS.get(exc.kind, 502))
        body = ReplySerializer({"reply": turn.reply, "steps": turn.steps}).data
        return Response(body, status=status.HTTP_201_CREATED)


class SessionResolveView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=ResolveSerializer, responses=SessionDetailSerializer)
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.resolve(session, request.user, data.validated_data["resolution_summary"])
        return Response(SessionDetailSerializer(session).data)


class JSONErrorsOnly(BaseContentNegotiation):
    """Ignore DRF's ?format= override: here `format` picks the notes' text type, not a renderer."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class SessionNotesView(APIView):
    permission_classes = [ReadMemberWriteEngineer]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONErrorsOnly

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(ticket_notes.FORMATS), default="md")],
        responses={(200, "text/markdown"): str, (200, "text/plain"): str, (200, "text/html"): str},
    )
    def get(self, request, session_id):
        session = _session(request, session_id)
        fmt = request.query_params.get("format", "md")
        if fmt not in ticket_notes.FORMATS:
            return Response({"detail": "format must be one of md, txt, html"}, status=status.HTTP_400_BAD_REQUEST)
        body = ticket_notes.render_ticket_notes(session, fmt)
        record_notes_export(session, request.user, "api", fmt)
        return HttpResponse(body, content_type=f"{ticket_notes.CONTENT_TYPES[fmt]}; charset=utf-8")
