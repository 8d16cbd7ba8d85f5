"""escalations' candidate for the home redirect (accounts/home.py)."""

from django.urls import reverse

from accounts.access import has_role
from accounts.models import ENGINEER_OR_ADMIN, User
from escalations.selectors import open_escalations


def queue_for_seniors(user: User) -> str | None:
    """Seniors with open escalations land on the queue; everyone else passes to the next candidate."""
    if has_role(user, ENGINEER_OR_ADMIN) and open_escalations(user).exists():
        return reverse("escalations:queue")
    return None
