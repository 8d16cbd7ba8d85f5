"""`/api/v1/analytics/...`: the section 6 figures and the manual baseline (engineer-or-admin only)."""

from django.db import models
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account, scoped
from accounts.permissions import IsEngineerOrAdmin
from analytics import flow_metrics, queries, services, time_saved
from analytics.models import BaselineEntry
from analytics.period_figures import report_with_breakdowns
from resolutionflow.api import StrictCharField

PERIOD_PARAMETER = OpenApiParameter("period", str, enum=list(queries.PERIODS), default=queries.DEFAULT_PERIOD)


class EscalationMetricsView(APIView):
    permission_classes = [IsEngineerOrAdmin]

    @extend_schema(parameters=[PERIOD_PARAMETER], responses={200: dict})
    def get(self, request):
        period = queries.parse_period(request.query_params.get("period"))
        return Response(report_with_breakdowns(request.user.account_id, period))


class TimeSavedView(APIView):
    """Hours saved by source with inputs and method strings; owners and admins get the account, engineers
    their own contribution (`scope`)."""

    permission_classes = [IsEngineerOrAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="A month as YYYY-MM; default the current month")],
        responses={200: dict},
    )
    def get(self, request):
        month = time_saved.parse_month(request.query_params.get("period"))
        user = request.user
        return Response(time_saved.time_saved_report(user.account_id, month, user_id=time_saved.scope_user_id(user)))


class BaselineEntrySerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True, default=None)
    seconds = serializers.FloatField(read_only=True)

    class Meta:
        model = BaselineEntry
        fields = [
            "id",
            "kind",
            "ticket_ref",
            "opened_at",
            "first_action_at",
            "seconds",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "recorded_by", "created_at"]
        # T1 > T0 is checked by the service with a readable message, not by the model's constraint validator.
        validators: list = []


class BaselineEntryListView(generics.ListCreateAPIView):
    permission_classes = [IsEngineerOrAdmin]
    serializer_class = BaselineEntrySerializer

    def get_queryset(self):
        return scoped(BaselineEntry, self.request.user).select_related("recorded_by")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.record_baseline_entry(request.user, **serializer.validated_data)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


class BaselineEntryDetailView(generics.RetrieveDestroyAPIView):
    permission_classes = [IsEngineerOrAdmin]
    serializer_class = BaselineEntrySerializer

    def get_object(self):
        return get_for_account(
            BaselineEntry.objects.select_related("recorded_by"), self.request.user, pk=self.kwargs["pk"]
        )

    def perform_destroy(self, instance):
        services.delete_baseline_entry(self.request.user, instance)


class FlowMetricsView(APIView):
    """Per-flow outcomes, coverage and knowledge gaps (SPEC section 14); engineer-or-admin."""

    permission_classes = [IsEngineerOrAdmin]

    @extend_schema(parameters=[PERIOD_PARAMETER], responses={200: dict})
    def get(self, request):
        period = queries.parse_period(request.query_params.get("period"))
        return Response(flow_metrics.flow_report(request.user.account_id, period))
