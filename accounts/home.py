"""Where `/` sends a member: the first registered home that claims them.

accounts sits at the bottom of the house and knows none of the pages above it.
Each app that offers a home registers a candidate from its `AppConfig.ready()`:
a function of the user that answers a URL, or None to pass. Candidates are asked
in ascending order (escalations' queue for seniors with open escalations comes
before flowpilot's session list, which takes everyone).
"""

from collections.abc import Callable

from django.urls import reverse

from accounts.models import User
from accounts.registry import Ordered

HomeCandidate = Callable[[User], str | None]

CANDIDATES: Ordered[HomeCandidate] = Ordered("home candidates")
register_home = CANDIDATES.register


def home_url(user: User) -> str:
    """The first candidate's answer; the account page when no app offers a home."""
    for candidate in CANDIDATES:
        url = candidate(user)
        if url:
            return url
    return reverse("accounts:settings")
