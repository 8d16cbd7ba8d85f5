"""JSON API for handoffs (SPEC section 7): create, read, claim, release, withdraw, queue."""

import logging

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import IsEngineerOrAdmin, ReadMemberWriteEngineer
from escalations import selectors, services
from escalations.models import Handoff, Priority
from flowpilot import similar
from flowpilot.models import Session
from resolutionflow.api import StrictCharField

logger = logging.getLogger(__name__)


class HtmlSafeJSONRenderer(JSONRenderer):
    """JSON with <, > and & as \\u escapes: same data for parsers, inert if ever sniffed or embedded as HTML."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


RENDERERS = [HtmlSafeJSONRenderer, BrowsableAPIRenderer]


class ClaimRateThrottle(ScopedRateThrottle):
    """Per-user claim throttle; reads the rate at request time so settings overrides apply."""

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            # The cache (Redis) is down: claims go on unthrottled; the claim itself is one conditional UPDATE.
            logger.warning("Claim throttle unavailable; allowing the request", exc_info=True)
            return True


class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class SimilarSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    problem_summary = serializers.CharField()
    resolution_summary = serializers.CharField()


class HandoffSerializer(serializers.ModelSerializer):
    session = serializers.UUIDField(source="session_id", read_only=True)
    handed_off_by = UserRefSerializer(read_only=True)
    claimed_by = UserRefSerializer(read_only=True, allow_null=True)
    problem_summary = serializers.CharField(source="session.problem_summary", read_only=True)

    class Meta:
        model = Handoff
        fields = [
            "id",
            "session",
            "problem_summary",
            "intent",
            "engineer_notes",
            "priority",
            "handed_off_by",
            "created_at",
            "claimed_by",
            "claimed_at",
            "withdrawn_at",
            "released_at",
            "closed_at",
            "closed_reason",
            "assessment_status",
            "ai_assessment",
            "snapshot",
        ]
        read_only_fields = fields


class HandoffDetailSerializer(HandoffSerializer):
    """GET /api/v1/handoffs/{id}/ only: the list and actions skip the similar-resolution lookup."""

    similar = serializers.SerializerMethodField()

    class Meta(HandoffSerializer.Meta):
        fields = [*HandoffSerializer.Meta.fields, "similar"]
        read_only_fields = fields

    @extend_schema_field(SimilarSerializer(many=True))
    def get_similar(self, handoff) -> list[dict]:
        """Up to three resolved sessions of the account most like this problem (SPEC section 14)."""
        return [item.as_dict() for item in similar.for_session(handoff.session)]


class HandoffCreateSerializer(serializers.Serializer):
    intent = serializers.ChoiceField(choices=Handoff.Intent.choices)
    engineer_notes = StrictCharField(required=False, allow_blank=True, max_length=services.NOTES_MAX_CHARS)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)


def _handoff(request, pk) -> Handoff:
    return get_for_account(
        Handoff.objects.select_related("session", "handed_off_by", "claimed_by"), request.user, pk=pk
    )


class SessionHandoffCreate(APIView):
    """POST /sessions/{id}/handoffs/: escalate or park the session."""

    permission_classes = [IsEngineerOrAdmin]
    renderer_classes = RENDERERS
    serializer_class = HandoffCreateSerializer

    def post(self, request, pk):
        session = get_for_account(Session, request.user, pk=pk)
        data = HandoffCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.escalate if data.validated_data["intent"] == Handoff.Intent.ESCALATE else services.park
        handoff = action(
            session,
            request.user,
            engineer_notes=data.validated_data.get("engineer_notes", ""),
            priority=data.validated_data["priority"],
        )
        return Response(HandoffSerializer(_handoff(request, handoff.pk)).data, status=status.HTTP_201_CREATED)


class HandoffDetail(generics.RetrieveAPIView):
    """GET /handoffs/{id}/: with snapshot and assessment."""

    permission_classes = [ReadMemberWriteEngineer]
    renderer_classes = RENDERERS
    serializer_class = HandoffDetailSerializer

    def get_object(self):
        return _handoff(self.request, self.kwargs["pk"])


class HandoffAction(APIView):
    """POST /handoffs/{id}/<action>/: one service call, answering the handoff."""

    permission_classes = [IsEngineerOrAdmin]
    renderer_classes = RENDERERS
    serializer_class = HandoffSerializer
    service = None  # not `action`: DRF and drf-spectacular reserve that name for a string

    def post(self, request, pk):
        result = type(self).service(self.target(request, pk), request.user)
        return Response(HandoffSerializer(_handoff(request, result.pk)).data)

    def target(self, request, pk) -> Handoff:
        """The handoff the service acts on (the answer re-reads it with everything the serializer needs)."""
        return _handoff(request, pk)


class HandoffClaim(HandoffAction):
    service = services.claim
    throttle_classes = [ClaimRateThrottle]
    throttle_scope = "claim"

    def post(self, request, pk):
        services.refuse_known_claim(pk, request.user)
        return super().post(request, pk)

    def target(self, request, pk) -> Handoff:
        # Under a burst almost every claim loses, and its 409 needs only the row and the claimer's
        # name: one join, not the session and both users (bench_claim, docs/benchmarks.md).
        return get_for_account(Handoff.objects.select_related("claimed_by"), request.user, pk=pk)


class HandoffRelease(HandoffAction):
    """Answers the fresh handoff that went back to the queue."""

    service = services.release


class HandoffWithdraw(HandoffAction):
    service = services.withdraw


class QueueList(generics.ListAPIView):
    """GET /queue/: unclaimed escalations of the account, newest first."""

    permission_classes = [ReadMemberWriteEngineer]
    renderer_classes = RENDERERS
    serializer_class = HandoffSerializer

    def get_queryset(self):
        return selectors.with_card_data(selectors.open_escalations(self.request.user)).select_related("claimed_by")
