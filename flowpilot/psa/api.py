"""JSON API: push a session's ticket notes and list its push records (SPEC section 7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import ReadMemberWriteEngineer
from flowpilot.models import Session
from flowpilot.psa import services
from flowpilot.psa.models import PsaPush


class PsaPushSerializer(serializers.ModelSerializer):
    class Meta:
        model = PsaPush
        fields = ["id", "kind", "status", "http_status", "external_id", "error", "attempts", "ticket_ref", "created_at"]
        read_only_fields = fields


class PushNotesView(APIView):
    """POST → 202 with the queued push record; delivery runs as a Celery task."""

    permission_classes = [ReadMemberWriteEngineer]
    serializer_class = PsaPushSerializer

    @extend_schema(request=None, responses={202: PsaPushSerializer})
    def post(self, request, session_id: str):
        session = get_for_account(Session, request.user, pk=session_id)
        push = services.request_notes_push(session, request.user)
        # With in-process tasks the push already ran at commit: report what happened.
        push.refresh_from_db()
        return Response(PsaPushSerializer(push).data, status=status.HTTP_202_ACCEPTED)


class PushListView(APIView):
    """GET → the session's push records, newest first."""

    permission_classes = [ReadMemberWriteEngineer]
    serializer_class = PsaPushSerializer

    @extend_schema(responses=PsaPushSerializer(many=True))
    def get(self, request, session_id: str):
        session = get_for_account(Session, request.user, pk=session_id)
        return Response(PsaPushSerializer(services.pushes_for(session), many=True).data)
