"""Demo accounts and users for `seed_demo`, and the registry of every app's demo part.

Idempotent: looks up before creating. accounts sits at the bottom of the house, so
it cannot import the apps' demos; each app registers its seeder from its
`AppConfig.ready()` with an order (lower runs first) and `seed_demo` runs them all.
"""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Account, Role, Team, User
from accounts.registry import Ordered

DEMO_PASSWORD = "resolve-2026"

# An app's demo part takes the dict `seed()` returns.
SEEDERS: Ordered[Callable[[dict], None]] = Ordered("demo seeders")
register_seeder = SEEDERS.register


def seed_all() -> dict:
    """The accounts, then every registered app's part; what `seed_demo` runs in one transaction."""
    demo = seed()
    for seeder in SEEDERS:
        seeder(demo)
    return demo


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    name: str
    role: str
    team: str


NORTHWIND_USERS = [
    DemoUser("owner", "olivia@northwind.test", "Olivia Owens", Role.OWNER, "Leadership"),
    DemoUser("senior1", "sam@northwind.test", "Sam Patel", Role.ADMIN, "Escalations"),
    DemoUser("senior2", "rita@northwind.test", "Rita Gomez", Role.ENGINEER, "Escalations"),
    DemoUser("junior1", "jamie@northwind.test", "Jamie Chen", Role.ENGINEER, "Service Desk"),
    DemoUser("junior2", "alex@northwind.test", "Alex Novak", Role.ENGINEER, "Service Desk"),
    DemoUser("viewer", "vera@northwind.test", "Vera Lind", Role.VIEWER, "Leadership"),
]
CONTOSO_USERS = [
    DemoUser("owner", "chris@contoso.test", "Chris Doyle", Role.OWNER, "Support"),
    DemoUser("engineer", "dana@contoso.test", "Dana Kim", Role.ENGINEER, "Support"),
]


def _account(name: str, code: str, users: list[DemoUser]) -> tuple[Account, dict[str, User]]:
    account, _ = Account.objects.get_or_create(code=code, defaults={"name": name})
    members = {}
    for spec in users:
        team, _ = Team.objects.get_or_create(account=account, name=spec.team)
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                spec.email, DEMO_PASSWORD, name=spec.name, account=account, account_role=spec.role, team=team
            )
        members[spec.key] = user
    return account, members


def seed() -> dict:
    """Create (or find) both demo accounts; returns them and their users by key."""
    northwind, nw_users = _account("Northwind MSP", "NORTHWIND", NORTHWIND_USERS)
    contoso, co_users = _account("Contoso IT", "CONTOSO", CONTOSO_USERS)
    return {"northwind": (northwind, nw_users), "contoso": (contoso, co_users)}


def logins() -> list[tuple[str, str, str]]:
    rows = [("Northwind MSP", u.email, u.role) for u in NORTHWIND_USERS]
    rows += [("Contoso IT", u.email, u.role) for u in CONTOSO_USERS]
    return rows
