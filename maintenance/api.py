"""JSON API for maintenance runs and schedules (SPEC section 16)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account, scoped
from accounts.permissions import ReadMemberWriteEngineer
from flowpilot.forms import OUTPUT_MAX, TEXT_MAX
from maintenance import selectors, services
from maintenance.models import Run, RunItem, RunTarget, Schedule
from resolutionflow.api import StrictCharField

TARGETS_HELP = 'Names, or objects {"name", "client_name", "ticket_ref"}; 1 to 500, unique names.'


class RunCreateSerializer(serializers.Serializer):
    flow = serializers.UUIDField()
    title = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    targets = serializers.ListField(child=serializers.JSONField(), allow_empty=True, help_text=TARGETS_HELP)
    assignee = serializers.UUIDField(required=False, allow_null=True, default=None)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ItemResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RunItem.Status.choices)
    result_note = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    output = StrictCharField(max_length=OUTPUT_MAX, required=False, allow_blank=True, trim_whitespace=False)


class ScheduleCreateSerializer(serializers.Serializer):
    flow = serializers.UUIDField()
    targets = serializers.ListField(child=serializers.JSONField(), allow_empty=True, help_text=TARGETS_HELP)
    assignee = serializers.UUIDField(required=False, allow_null=True, default=None)
    recurrence = StrictCharField(max_length=100, help_text="weekly, monthly or a five-field cron expression")
    next_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ScheduleUpdateSerializer(serializers.Serializer):
    """PATCH: the creation fields, each optional; a field left out stays as it is."""

    flow = serializers.UUIDField(required=False)
    targets = serializers.ListField(child=serializers.JSONField(), required=False, help_text=TARGETS_HELP)
    assignee = serializers.UUIDField(required=False, allow_null=True, help_text="null: nobody")
    recurrence = StrictCharField(
        max_length=100,
        required=False,
        help_text="weekly, monthly or a five-field cron expression; a new one moves next_due_at, as on creation",
    )
    next_due_at = serializers.DateTimeField(required=False, allow_null=True)


ITEM_FIELDS = {
    "node_key": serializers.CharField(),
    "text": serializers.CharField(),
    "status": serializers.ChoiceField(choices=RunItem.Status.choices),
    "result_note": serializers.CharField(),
    "output": serializers.CharField(),
    "output_truncated": serializers.BooleanField(),
    "done_by": serializers.UUIDField(allow_null=True),
    "done_at": serializers.DateTimeField(allow_null=True),
}
ItemSerializer = inline_serializer("RunItem", ITEM_FIELDS)
RunSerializer = inline_serializer(
    "MaintenanceRun",
    {
        "id": serializers.UUIDField(),
        "flow": serializers.UUIDField(),
        "version": serializers.IntegerField(),
        "title": serializers.CharField(),
        "assignee": serializers.UUIDField(allow_null=True),
        "due_at": serializers.DateTimeField(allow_null=True),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "overdue": serializers.BooleanField(),
        "schedule": serializers.UUIDField(allow_null=True),
        "created_at": serializers.DateTimeField(),
        "progress": inline_serializer(
            "RunProgress", {"done": serializers.IntegerField(), "total": serializers.IntegerField()}
        ),
        "targets": inline_serializer(
            "RunTarget",
            {
                "id": serializers.UUIDField(),
                "name": serializers.CharField(),
                "client_name": serializers.CharField(),
                "ticket_ref": serializers.CharField(),
                "items": inline_serializer("RunTargetItem", ITEM_FIELDS, many=True),
            },
            many=True,
        ),
    },
)


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Schedule
        fields = ["id", "flow", "targets", "assignee", "recurrence", "next_due_at", "active", "created_at"]


def item_facts(item: RunItem, texts: dict) -> dict:
    return {
        "node_key": item.node_key,
        "text": texts.get(item.node_key, item.node_key),
        "status": item.status,
        "result_note": item.result_note,
        "output": item.output,
        "output_truncated": item.output_truncated,
        "done_by": item.done_by_id,
        "done_at": item.done_at,
    }


def run_facts(run: Run) -> dict:
    texts = {n["key"]: n.get("text", "") for n in run.version.graph.get("nodes", [])}
    items: dict = {}
    for item in RunItem.objects.filter(run=run).order_by("position"):
        items.setdefault(item.target_id, []).append(item_facts(item, texts))
    progress = selectors.progress(run)
    return {
        "id": run.pk,
        "flow": run.flow_id,
        "version": run.version.number,
        "title": run.title,
        "assignee": run.assignee_id,
        "due_at": run.due_at,
        "finished_at": run.finished_at,
        "overdue": run.is_overdue(),
        "schedule": run.schedule_id,
        "created_at": run.created_at,
        "progress": {"done": progress["done"], "total": progress["total"]},
        "targets": [
            {
                "id": t.pk,
                "name": t.name,
                "client_name": t.client_name,
                "ticket_ref": t.ticket_ref,
                "items": items.get(t.pk, []),
            }
            for t in RunTarget.objects.filter(run=run).order_by("position")
        ],
    }


def _run(request, run_id) -> Run:
    return get_for_account(Run.objects.select_related("version"), request.user, pk=run_id)


class RunListView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=RunCreateSerializer, responses={201: RunSerializer})
    def post(self, request):
        data = RunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = services.create_run(
            request.user,
            flow_id=values["flow"],
            title=values["title"],
            targets=values["targets"],
            assignee=values["assignee"],
            due_at=values["due_at"],
        )
        return Response(run_facts(_run(request, run.pk)), status=status.HTTP_201_CREATED)


class RunDetailView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=RunSerializer)
    def get(self, request, run_id):
        return Response(run_facts(_run(request, run_id)))


class RunItemView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(request=ItemResultSerializer, responses=ItemSerializer)
    def post(self, request, run_id, target_id, node_key):
        run = _run(request, run_id)
        item = RunItem.objects.filter(run=run, target_id=target_id, node_key=node_key).first()
        if item is None:
            raise Http404("Not found.")
        data = ItemResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.set_item(item, request.user, **data.validated_data)
        texts = {n["key"]: n.get("text", "") for n in run.version.graph.get("nodes", [])}
        return Response(item_facts(item, texts))


class ScheduleListView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=ScheduleSerializer(many=True))
    def get(self, request):
        schedules = scoped(Schedule, request.user).order_by("next_due_at")[:500]
        return Response(ScheduleSerializer(schedules, many=True).data)

    @extend_schema(request=ScheduleCreateSerializer, responses={201: ScheduleSerializer})
    def post(self, request):
        data = ScheduleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.create_schedule(
            request.user, **{"flow_id": data.validated_data.pop("flow")}, **data.validated_data
        )
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    permission_classes = [ReadMemberWriteEngineer]

    @extend_schema(responses=ScheduleSerializer)
    def get(self, request, schedule_id):
        return Response(ScheduleSerializer(_schedule(request, schedule_id)).data)

    @extend_schema(request=ScheduleUpdateSerializer, responses=ScheduleSerializer)
    def patch(self, request, schedule_id):
        schedule = _schedule(request, schedule_id)
        data = ScheduleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "flow" in changes:
            changes["flow_id"] = changes.pop("flow")
        if changes.get("next_due_at") is None:
            changes.pop("next_due_at", None)  # null reads as left out: the rule decides, as on creation
        return Response(ScheduleSerializer(services.update_schedule(request.user, schedule, **changes)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, schedule_id):
        services.delete_schedule(request.user, _schedule(request, schedule_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schedule(request, schedule_id) -> Schedule:
    return get_for_account(Schedule, request.user, pk=schedule_id)
