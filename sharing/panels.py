"""The share panel on the session page, contributed to the 'side' slot of flowpilot.hooks.session_page."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.access import has_role
from accounts.models import ENGINEER_OR_ADMIN
from flowpilot.models import Session
from sharing import services
from sharing.forms import ShareForm

PANEL = "sharing/_session_panel.html"


def share_url(token: str) -> str:
    return settings.SITE_URL + reverse("sharing:public", kwargs={"token": token})


def panel_context(request, session: Session, **extra) -> dict:
    links = services.links_for(request.user).filter(session=session, revoked_at=None, expires_at__gt=timezone.now())
    return {
        "session": session,
        "links": [(link, services.can_revoke(request.user, link)) for link in links],
        "form": ShareForm(),
        "next": reverse("flowpilot:detail", kwargs={"session_id": session.pk}),
        **extra,
    }


def session_panel(request, session: Session) -> dict[str, str]:
    """Engineers, admins and owners get the panel; viewers cannot share, so they get none."""
    if not has_role(request.user, ENGINEER_OR_ADMIN):
        return {}
    return {"side": render_to_string(PANEL, {"panel": panel_context(request, session)}, request=request)}
