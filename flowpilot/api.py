"""JSON API for sessions, steps, copilot messages, resolve and ticket notes (SPEC section 7)."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import ReadMemberWriteEngineer
from flowpilot import notes as ticket_notes
from flowpilot import selectors, services
from flowpilot.ai import AIError
from flowpilot.forms import OUTPUT_MAX, SUMMARY_MAX, TEXT_MAX
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


class SessionDetailSerializer(SessionSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "steps"]


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


class SessionListView(generics.ListAPIView):
    permission_classes = [ReadMemberWriteEngineer]
    serializer_class = SessionSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.sessions_for(
            self.request.user,
            scope=params.get("scope", "all"),
            status=params.get("status", ""),
            domain=params.get("domain", ""),
            q=params.get("q", ""),
        )

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
        return HttpResponse(body, content_type=f"{ticket_notes.CONTENT_TYPES[fmt]}; charset=utf-8")
