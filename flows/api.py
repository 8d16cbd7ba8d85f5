"""JSON API for guided flows and runs in sessions (SPEC section 13)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import ReadMemberWriteEngineer
from flowpilot.forms import OUTPUT_MAX, TEXT_MAX
from flowpilot.models import ProblemDomain, Session
from flows import builder, runner, selectors, services
from flows.models import Flow, FlowRun
from resolutionflow.api import StrictCharField
from resolutionflow.domain import InvalidOperation


class AnswerSerializer(serializers.Serializer):
    label = serializers.CharField()
    next = serializers.CharField()


class NodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    type = serializers.ChoiceField(choices=["question", "action", "outcome", "link"])
    text = serializers.CharField()
    answers = AnswerSerializer(many=True, required=False)
    next = serializers.CharField(required=False)
    command = serializers.CharField(required=False)
    expect = serializers.CharField(required=False)
    outcome = serializers.ChoiceField(choices=["resolved", "escalate"], required=False)
    summary = serializers.CharField(required=False)
    flow = serializers.CharField(required=False)


class GraphSerializer(serializers.Serializer):
    schema_version = serializers.IntegerField()
    start = serializers.CharField()
    nodes = NodeSerializer(many=True)


class FlowSerializer(serializers.ModelSerializer):
    published_version = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Flow
        fields = [
            "id", "title", "kind", "problem_domain", "tags", "description", "status", "published_version",
            "created_at", "updated_at",
        ]  # fmt: skip


class FlowDetailSerializer(FlowSerializer):
    draft = GraphSerializer(source="graph", read_only=True)

    class Meta(FlowSerializer.Meta):
        fields = [*FlowSerializer.Meta.fields, "draft"]


class FlowCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=Flow.Kind.choices, default=Flow.Kind.TROUBLESHOOTING)
    problem_domain = serializers.ChoiceField(choices=ProblemDomain.choices, required=False, allow_blank=True)
    description = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=StrictCharField(max_length=40), max_length=12, required=False, default=list)


class ExportSerializer(GraphSerializer):
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Flow.Kind.choices)
    problem_domain = serializers.ChoiceField(choices=ProblemDomain.choices)
    description = serializers.CharField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class GenerateSerializer(serializers.Serializer):
    description = StrictCharField(max_length=TEXT_MAX)
    problem_domain = serializers.ChoiceField(choices=ProblemDomain.choices, required=False, allow_blank=True)


class StartRunSerializer(serializers.Serializer):
    flow = serializers.UUIDField()


class RunAnswerSerializer(serializers.Serializer):
    node = StrictCharField(max_length=64)
    answer = StrictCharField(max_length=200, required=False)
    status = serializers.ChoiceField(choices=[s.value for s in runner.RESULT_STATUSES], required=False)
    result_note = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    output = StrictCharField(max_length=OUTPUT_MAX, required=False, allow_blank=True, default="", trim_whitespace=False)

    def validate(self, data):
        if "answer" not in data and "status" not in data:
            raise serializers.ValidationError("give an answer (question) or a status (action)")
        return data


class RunStepSerializer(serializers.Serializer):
    node = serializers.CharField()
    text = serializers.CharField()
    answer = serializers.CharField(help_text="The answer's label (question) or done / failed / skipped (action).")
    note = serializers.CharField()


class StoppedAtSerializer(serializers.Serializer):
    node = serializers.CharField()
    text = serializers.CharField()


class FlowRunSerializer(serializers.Serializer):
    """A run as runner.run_facts gives it (the responses are built from run_facts; this documents them)."""

    id = serializers.UUIDField()
    flow = serializers.UUIDField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    current = NodeSerializer(allow_null=True, help_text="The node the run is at (null before it starts).")
    path = serializers.ListField(child=serializers.CharField(), help_text="The keys answered, in order.")
    steps = RunStepSerializer(many=True)
    ended = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=FlowRun.Outcome.choices, allow_null=True)
    stopped_at = StoppedAtSerializer(allow_null=True)


@extend_schema_field(FlowRunSerializer(allow_null=True))
class SessionFlowRunField(serializers.Field):
    """`flow_run` of GET /api/v1/sessions/{id}/ (flowpilot.hooks.session_api_fields): the latest run, or null."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, session: Session):
        run = runner.latest_run(session)
        return runner.run_facts(run) if run else None


ERRORS = {400: inline_serializer("GraphErrors", {"detail": serializers.CharField(), "errors": serializers.ListField()})}


def _flow(request, flow_id) -> Flow:
    return get_for_account(Flow, request.user, pk=flow_id)


def _session(request, session_id) -> Session:
    return get_for_account(Session, request.user, pk=session_id)


def _run(session: Session) -> FlowRun:
    run = runner.latest_run(session)
    if run is None:
        raise InvalidOperation("This session has not started a flow.")
    return run


class FlowListView(generics.ListAPIView):
    permission_classes = [ReadMemberWriteEngineer]
    serializer_class = FlowSerializer

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("q", "domain", "kind", "tag", "status")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = {k: self.request.query_params.get(k, "") for k in ("q", "domain", "kind", "tag", "status")}
        if params["status"] and params["status"] not in Flow.Status.values:
            raise InvalidOperation("status must be one of draft, published, archived")
        return selectors.flows_for(self.request.user, **params)

    @extend_schema(request=FlowCreateSerializer, responses={201: FlowDetailSerializer})
    def post(self, request):
        data = FlowCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flow = services.create_flow(request.user, **data.validated_data)
        return Response(FlowDetailSerializer(flow).data, status=status.HTTP_201_CREATED)


class FlowDetailView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=FlowDetailSerializer)
    def get(self, request, flow_id):
        return Response(FlowDetailSerializer(_flow(request, flow_id)).data)


class FlowGraphView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=GraphSerializer, responses={200: FlowDetailSerializer, **ERRORS})
    def put(self, request, flow_id):
        flow = services.replace_graph(_flow(request, flow_id), request.user, request.data)
        return Response(FlowDetailSerializer(flow).data)


class FlowPublishView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(
        request=None, responses={201: inline_serializer("Published", {"version": serializers.IntegerField()})}
    )
    def post(self, request, flow_id):
        version = services.publish(_flow(request, flow_id), request.user)
        return Response({"version": version.number}, status=status.HTTP_201_CREATED)


class FlowExportView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=ExportSerializer)
    def get(self, request, flow_id):
        return Response(services.export(_flow(request, flow_id)))


class FlowImportView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=ExportSerializer, responses={201: FlowDetailSerializer, **ERRORS})
    def post(self, request):
        flow = services.import_flow(request.user, request.data)
        return Response(FlowDetailSerializer(flow).data, status=status.HTTP_201_CREATED)


class FlowGenerateView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=GenerateSerializer, responses={201: FlowDetailSerializer})
    def post(self, request):
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flow = builder.generate(request.user, **data.validated_data)
        return Response(FlowDetailSerializer(flow).data, status=status.HTTP_201_CREATED)


class SessionFlowView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=StartRunSerializer, responses={201: FlowRunSerializer})
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = StartRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flow = get_for_account(Flow, request.user, pk=data.validated_data["flow"])
        run = runner.start_run(session, request.user, flow)
        return Response(runner.run_facts(run), status=status.HTTP_201_CREATED)


class SessionFlowAnswerView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=RunAnswerSerializer, responses={200: FlowRunSerializer})
    def post(self, request, session_id):
        run = _run(_session(request, session_id))
        data = RunAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = runner.answer(run, request.user, **data.validated_data)
        return Response(runner.run_facts(run))


class RunActionView(APIView):
    """POST with no body: `operation(run, user)` on the session's latest run → 200 run."""

    permission_classes = [ReadMemberWriteEngineer]
    operation = None

    @extend_schema(request=None, responses={200: FlowRunSerializer})
    def post(self, request, session_id):
        run = type(self).operation(_run(_session(request, session_id)), request.user)
        return Response(runner.run_facts(run))


class SessionFlowBackView(RunActionView):
    operation = runner.back


class SessionFlowLeaveView(RunActionView):
    operation = runner.leave
