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

HomeCandidate = Callable[[User], str | None]

_CANDIDATES: dict[str, tuple[int, HomeCandidate]] = {}


def register_home(name: str, order: int, candidate: HomeCandidate) -> None:
    """Add (or replace, when ready() runs again) the candidate called `name`."""
    _CANDIDATES[name] = (order, candidate)


def home_url(user: User) -> str:
    """The first candidate's answer; the account page when no app offers a home."""
    for _, (_, candidate) in sorted(_CANDIDATES.items(), key=lambda item: (item[1][0], item[0])):
        url = candidate(user)
        if url:
            return url
    return reverse("accounts:settings")
