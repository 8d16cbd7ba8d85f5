"""JSON API for share links (SPEC section 15)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_for_account
from accounts.permissions import IsEngineerOrAdmin
from flowpilot.models import Session
from sharing import services
from sharing.models import ShareLink
from sharing.panels import share_url


class CreateShareSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=ShareLink.Visibility.values, default=ShareLink.Visibility.ACCOUNT)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=services.MAX_DAYS, default=services.DEFAULT_DAYS)


class CreatedShareSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField(help_text="The link; shown in this response only (the server keeps a hash).")
    visibility = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ShareLinkSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.display_name", read_only=True, default=None)
    state = serializers.ChoiceField(choices=["active", "expired", "revoked"], read_only=True)

    class Meta:
        model = ShareLink
        fields = [
            "id", "session", "visibility", "state", "created_by", "created_at", "expires_at", "revoked_at",
            "view_count", "last_viewed_at",
        ]  # fmt: skip


class SessionSharesView(APIView):
    permission_classes = [IsEngineerOrAdmin]

    @extend_schema(request=CreateShareSerializer, responses={201: CreatedShareSerializer})
    def post(self, request, session_id):
        session = get_for_account(Session, request.user, pk=session_id)
        data = CreateShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link, token = services.create_link(session, request.user, **data.validated_data)
        body = {"id": link.pk, "url": share_url(token), "visibility": link.visibility, "expires_at": link.expires_at}
        return Response(
            CreatedShareSerializer(body).data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"}
        )


class ShareListView(generics.ListAPIView):
    """Owners and admins: every link of the account; engineers: their own."""

    permission_classes = [IsEngineerOrAdmin]
    serializer_class = ShareLinkSerializer

    def get_queryset(self):
        return services.links_for(self.request.user)


class ShareDetailView(APIView):
    permission_classes = [IsEngineerOrAdmin]

    @extend_schema(responses={204: None})
    def delete(self, request, link_id):
        link = get_for_account(ShareLink, request.user, pk=link_id)
        services.revoke(link, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
