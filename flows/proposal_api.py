"""JSON API of the knowledge loop's review queue (SPEC section 14): owner/admin only."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account, scoped
from accounts.permissions import IsAdminOrOwner
from flows import proposals
from flows.api import ERRORS, GraphSerializer
from flows.models import FlowProposal
from resolutionflow.api import StrictCharField
from resolutionflow.domain import InvalidOperation


class ProposalSerializer(serializers.ModelSerializer):
    sessions = serializers.SerializerMethodField()
    graph = GraphSerializer(read_only=True)

    class Meta:
        model = FlowProposal
        fields = [
            "id", "status", "sessions", "flow", "at_node", "title", "problem_domain", "rationale", "graph",
            "reason", "draft", "created_at", "reviewed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_sessions(self, proposal) -> list[str]:
        return [str(source.session_id) for source in proposal.sources.all()]


class AcceptSerializer(serializers.Serializer):
    graph = serializers.JSONField(required=False, help_text="the reviewer's edited graph (defaults to the proposal's)")


class RejectSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=proposals.REASON_MAX)


def _proposal(request, proposal_id) -> FlowProposal:
    return get_for_account(FlowProposal, request.user, pk=proposal_id)


class ProposalListView(generics.ListAPIView):
    permission_classes = [IsAdminOrOwner]
    serializer_class = ProposalSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=FlowProposal.Status.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in FlowProposal.Status.values:
            raise InvalidOperation(f"status must be one of {', '.join(FlowProposal.Status.values)}")
        qs = scoped(FlowProposal, self.request.user).prefetch_related("sources")
        return qs.filter(status=wanted) if wanted else qs


class ProposalAcceptView(APIView):
    permission_classes = [IsAdminOrOwner]

    @extend_schema(
        request=AcceptSerializer,
        responses={201: inline_serializer("AcceptedProposal", {"flow": serializers.UUIDField()}), **ERRORS},
    )
    def post(self, request, proposal_id):
        proposal = _proposal(request, proposal_id)
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = proposals.accept(proposal, request.user, data.validated_data.get("graph"))
        return Response({"flow": str(draft.pk)}, status=status.HTTP_201_CREATED)


class ProposalRejectView(APIView):
    permission_classes = [IsAdminOrOwner]

    @extend_schema(request=RejectSerializer, responses={200: ProposalSerializer})
    def post(self, request, proposal_id):
        proposal = _proposal(request, proposal_id)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = proposals.reject(proposal, request.user, data.validated_data["reason"])
        return Response(ProposalSerializer(proposal).data)
