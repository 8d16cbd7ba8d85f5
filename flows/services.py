"""Flow authoring: create a draft, replace its graph, publish, archive, duplicate, import/export.

Each function owns its transaction. Runs in sessions live in `flows.runner`, the
step library in `flows.library`; all three are this app's only write paths.
"""

import uuid

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone

from accounts.access import has_role, role_message
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, User
from flowpilot.models import ProblemDomain
from flows import graph as graphs
from flows.models import Flow, FlowVersion, empty_graph
from resolutionflow.domain import Conflict, InvalidOperation, RoleRequired

TAG_MAX = 40
TAGS_MAX = 12


def require_engineer(user: User) -> None:
    if not has_role(user, ENGINEER_OR_ADMIN):
        raise RoleRequired(role_message(ENGINEER_OR_ADMIN))


def require_publisher(user: User) -> None:
    if not has_role(user, ADMIN_OR_OWNER):
        raise RoleRequired(role_message(ADMIN_OR_OWNER))


def _same_account(flow: Flow, user: User) -> None:
    if flow.account_id != user.account_id:
        raise InvalidOperation("flow belongs to another account")


def clean_tags(tags) -> list[str]:
    """Lower-case, de-duplicated tags; a comma-separated string is accepted too."""
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple):
        raise InvalidOperation("tags must be a list of words")
    cleaned = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidOperation("tags must be a list of words")
        tag = " ".join(tag.lower().split())[:TAG_MAX]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:TAGS_MAX]


def link_checker(account_id, this_flow_id=None) -> graphs.LinkCheck:
    """Link targets must be published flows of the same account (another account's looks like none)."""

    def check(flow_id: str) -> str | None:
        try:
            target_id = uuid.UUID(str(flow_id))
        except ValueError:
            return f"links to “{flow_id}”, which is not a flow id"
        if target_id == this_flow_id:
            return "a flow cannot link to itself"
        target = Flow.objects.filter(pk=target_id, account_id=account_id).first()
        if target is None:
            return "links to a flow that is not in this account"
        if target.latest_version == 0 or target.status != Flow.Status.PUBLISHED:
            return f"links to “{target.title}”, which is not published"
        return None

    return check


def validate_for(flow: Flow, document) -> dict:
    """The normalized graph of `flow` or InvalidGraph (every rule, links checked against the account)."""
    return graphs.validate(document, kind=flow.kind, link_check=link_checker(flow.account_id, flow.pk))


def validate_errors(flow: Flow) -> list[graphs.GraphError]:
    """The draft's problems for the editor's inline validation ([] when it can be published)."""
    return graphs.check(flow.graph, kind=flow.kind, link_check=link_checker(flow.account_id, flow.pk))


def reindex(flow: Flow) -> None:
    """Keep the stored search text and (on PostgreSQL) the weighted search vector current."""
    text = " ".join([*flow.tags, graphs.node_text(flow.graph)])
    fields = {"search_text": f"{flow.title} {flow.description} {text}".lower()}
    if connection.vendor == "postgresql":
        fields["search_vector"] = (
            SearchVector(Value(flow.title), weight="A", config="english")
            + SearchVector(Value(" ".join(flow.tags)), weight="A", config="english")
            + SearchVector(Value(flow.description), weight="B", config="english")
            + SearchVector(Value(graphs.node_text(flow.graph)), weight="C", config="english")
        )
    Flow.objects.filter(pk=flow.pk).update(**fields)


def create_flow(
    user: User,
    *,
    title: str,
    kind: str = Flow.Kind.TROUBLESHOOTING,
    problem_domain: str = "",
    description: str = "",
    tags=(),
    graph: dict | None = None,
) -> Flow:
    """A new draft; a given graph must be valid (import, AI builder), an empty one is fine to start."""
    require_engineer(user)
    title = title.strip()
    if not title:
        raise InvalidOperation("a flow needs a title")
    if kind not in Flow.Kind.values:
        raise InvalidOperation("kind must be troubleshooting or procedure")
    domain = problem_domain or ProblemDomain.OTHER
    if domain not in ProblemDomain.values:
        raise InvalidOperation(f"unknown problem domain {domain!r}")
    flow = Flow(
        account_id=user.account_id,
        title=title[:200],
        kind=kind,
        problem_domain=domain,
        description=description.strip(),
        tags=clean_tags(tags),
        created_by=user,
        graph=empty_graph(),
    )
    if graph is not None:
        flow.graph = graphs.validate(graph, kind=kind, link_check=link_checker(user.account_id))
    with transaction.atomic():
        flow.save()
        reindex(flow)
    return flow


def update_details(flow: Flow, user: User, **fields) -> Flow:
    """Title, description, domain and tags of a flow (not archived)."""
    require_engineer(user)
    _same_account(flow, user)
    if "title" in fields and not fields["title"].strip():
        raise InvalidOperation("a flow needs a title")
    if "problem_domain" in fields and fields["problem_domain"] not in ProblemDomain.values:
        raise InvalidOperation("unknown problem domain")
    for name in ("title", "description", "problem_domain"):
        if name in fields:
            setattr(flow, name, fields[name].strip())
    if "tags" in fields:
        flow.tags = clean_tags(fields["tags"])
    with transaction.atomic():
        flow.save(update_fields=["title", "description", "problem_domain", "tags", "updated_at"])
        reindex(flow)
    return flow


def replace_graph(flow: Flow, user: User, document, *, strict: bool = True) -> Flow:
    """Replace the draft graph. Strict (API, import) refuses an invalid graph whole; the editor saves
    work in progress (normalized) and shows the problems inline."""
    require_engineer(user)
    _same_account(flow, user)
    if flow.status == Flow.Status.ARCHIVED:
        raise InvalidOperation("an archived flow cannot be edited; duplicate it instead")
    graph = validate_for(flow, document) if strict else graphs.normalize(document)
    with transaction.atomic():
        Flow.objects.filter(pk=flow.pk).update(graph=graph, updated_at=timezone.now())
        flow.graph = graph
        reindex(flow)
    return flow


def publish(flow: Flow, user: User) -> FlowVersion:
    """Validate the draft and freeze it as the next version (owner/admin)."""
    require_publisher(user)
    _same_account(flow, user)
    if flow.status == Flow.Status.ARCHIVED:
        raise InvalidOperation("an archived flow cannot be published")
    graph = validate_for(flow, flow.graph)
    expected = flow.latest_version
    with transaction.atomic():
        won = Flow.objects.filter(pk=flow.pk, latest_version=expected).update(
            latest_version=expected + 1, status=Flow.Status.PUBLISHED, updated_at=timezone.now()
        )
        if won != 1:
            # The conditional update matched no row: another publish took this number first.
            raise Conflict("Someone published this flow a moment ago; reload to see the new version.")
        version = FlowVersion.objects.create(
            flow=flow, account_id=flow.account_id, number=expected + 1, graph=graph, title=flow.title, published_by=user
        )
    flow.refresh_from_db()
    return version


def archive(flow: Flow, user: User) -> Flow:
    """Take a flow out of the library and of suggestions; runs already pinned keep working."""
    require_publisher(user)
    _same_account(flow, user)
    Flow.objects.filter(pk=flow.pk).update(status=Flow.Status.ARCHIVED, updated_at=timezone.now())
    flow.refresh_from_db()
    return flow


def duplicate(flow: Flow, user: User) -> Flow:
    """A new draft with the same details and draft graph."""
    require_engineer(user)
    _same_account(flow, user)
    copy = Flow(
        account_id=flow.account_id,
        title=f"Copy of {flow.title}"[:200],
        kind=flow.kind,
        problem_domain=flow.problem_domain,
        description=flow.description,
        tags=list(flow.tags),
        graph=graphs.normalize(flow.graph),
        created_by=user,
    )
    with transaction.atomic():
        copy.save()
        reindex(copy)
    return copy


def export(flow: Flow) -> dict:
    """The import/export document: the draft graph with the flow's title, kind, domain and tags."""
    return {
        **graphs.normalize(flow.graph),
        "title": flow.title,
        "kind": flow.kind,
        "problem_domain": flow.problem_domain,
        "description": flow.description,
        "tags": list(flow.tags),
    }


def import_flow(user: User, document) -> Flow:
    """A new draft from an exported document; an invalid graph is refused whole."""
    if not isinstance(document, dict):
        raise graphs.InvalidGraph([graphs.GraphError(None, "the document must be a JSON object")])
    title = document.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InvalidOperation("the document needs a title")
    return create_flow(
        user,
        title=title,
        kind=document.get("kind") or Flow.Kind.TROUBLESHOOTING,
        problem_domain=document.get("problem_domain") or "",
        description=document.get("description") if isinstance(document.get("description"), str) else "",
        tags=document.get("tags") or [],
        graph={k: document.get(k) for k in ("schema_version", "start", "nodes") if k in document},
    )
