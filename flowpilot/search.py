"""Full-text search over a session's text: summary, steps, results, output, notes and resolution.

PostgreSQL: a stored, weighted `Session.search_vector` (GIN-indexed) that the
services refresh inside their transactions, queried with `websearch` syntax,
ranked with ts_rank and shown with ts_headline snippets. Other databases
(SQLite, the embedded default): `icontains` over the same fields, newest first.
`search()`, `newest_ranked()` and `snippets()` pick by vendor so callers never do.
"""

import functools
import re
import uuid
from collections.abc import Iterable, Sequence

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Concat, Left
from django.db.models.sql import UpdateQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flowpilot.models import Activity, Session, Step
from flowpilot.redact import redact, redact_private_keys, redacted_excerpt

CONFIG = "english"
# to_tsvector refuses documents whose vector passes 1 MB; each weight's text is cut
# to this many characters (64 KB outputs x many steps would otherwise get there).
WEIGHT_TEXT_CHARS = 60_000
SNIPPET_WORDS = 24
# The list ranks only this many newest matches. Ranking reads each match's stored vector
# (~7 KB, out of line): ranking every match of a word in 99% of sessions took 5 s at
# 100,000 sessions; the newest 1,000 are found through (account, created_at) and ranked in 10-30 ms.
RANKED_MATCHES = 1000
# ts_headline parses all the text it is given (~1.5 ms per 5 KB): it only gets windows around
# the first matches, found in Python, never a session's whole text.
SNIPPET_RADIUS = 160
SNIPPET_WINDOWS = 2
# Control characters cannot come from a form field, so they mark matches safely
# through escaping; they become <mark> only after the text is escaped.
_START, _STOP = "\x02", "\x03"
NOTE_KIND = Activity.Kind.NOTE.value
# What the fallback search matches and what a snippet is cut from, in the order a snippet reads them.
SESSION_TEXT_FIELDS = ("problem_summary", "resolution_summary", "client_name", "ticket_ref")
STEP_TEXT_FIELDS = ("title", "result_note", "detail", "command", "output")
_EMPTY = Value("", output_field=TextField())


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _joined(qs: QuerySet, *fields) -> Subquery:
    parts = []
    for field in fields:
        parts += [Coalesce(field, _EMPTY, output_field=TextField()), Value(" ")]
    joined = StringAgg(Concat(*parts, output_field=TextField()), delimiter=" ", order_by="created_at")
    text = qs.values("session_id").annotate(text=joined).values("text")
    return Subquery(text, output_field=TextField())


def _weighted_texts(step_model=Step, activity_model=Activity) -> dict[str, object]:
    """The session's text in three weights, as expressions over the outer Session row."""
    steps = step_model.objects.filter(session_id=OuterRef("pk")).order_by()
    notes = activity_model.objects.filter(session_id=OuterRef("pk"), kind=NOTE_KIND).order_by()
    return {
        "A": Concat(
            "problem_summary",
            Value(" "),
            "resolution_summary",
            Value(" "),
            "client_name",
            Value(" "),
            "ticket_ref",
            output_field=TextField(),
        ),
        "B": _joined(steps, "title", "result_note"),
        # Notes before output: when the cap cuts, it cuts the tail of long command output.
        "C": Concat(
            Coalesce(_joined(notes, KeyTextTransform("text", "payload")), _EMPTY),
            Value(" "),
            Coalesce(_joined(steps, "detail", "command", "output"), _EMPTY),
            output_field=TextField(),
        ),
    }


def vector_expression(step_model=Step, activity_model=Activity) -> SearchVector:
    """The weighted vector of a session (A: summary, resolution, client, ticket; B: step titles
    and results; C: step details, commands, output and notes). Also used by migration 0003."""
    texts = _weighted_texts(step_model, activity_model)
    vectors = [
        SearchVector(Left(text, WEIGHT_TEXT_CHARS), weight=weight, config=CONFIG) for weight, text in texts.items()
    ]
    return vectors[0] + vectors[1] + vectors[2]


def refresh_search_vector(session_id: uuid.UUID) -> None:
    """Recompute one session's stored vector; the services call it inside their transactions."""
    if is_postgres():
        sql, params = _refresh_statement()
        with connection.cursor() as cursor:
            cursor.execute(sql, [session_id if param == _ANY_SESSION else param for param in params])


# The UPDATE above is the same for every session but its id. Django compiles the vector's
# expression (three weights, four subqueries) in ~4 ms, on every step, note and result a tech
# records: compile it once per process (bench_flows, docs/benchmarks.md fix 17).
_ANY_SESSION = uuid.UUID(int=0)


@functools.cache
def _refresh_statement() -> tuple[str, tuple]:
    query = Session.objects.filter(pk=_ANY_SESSION).query.chain(UpdateQuery)
    query.add_update_values({"search_vector": vector_expression()})
    sql, params = query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    if list(params).count(_ANY_SESSION) != 1:  # the id must be the one parameter that varies
        raise RuntimeError("Unexpected SQL for the session search vector update")
    return sql, tuple(params)


def refresh_all(session_model=Session, step_model=Step, activity_model=Activity, using: str = DEFAULT_DB_ALIAS) -> int:
    """Recompute every session's vector in one UPDATE (migration 0003, `reindex_sessions`, the demo seed)."""
    if connections[using].vendor != "postgresql":
        return 0
    return session_model.objects.using(using).update(search_vector=vector_expression(step_model, activity_model))


def search(qs: QuerySet, q: str) -> QuerySet:
    """`qs` narrowed to sessions matching `q`: ranked on PostgreSQL, newest first elsewhere."""
    if is_postgres():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at")
        )
    for term, excluded in _parse(q):
        qs = qs.exclude(_matches(term)) if excluded else qs.filter(_matches(term))
    return qs.order_by("-created_at")


def newest_ranked(qs: QuerySet, q: str) -> "QuerySet | Ranked":
    """The RANKED_MATCHES newest sessions of `qs` matching `q`, best match first (PostgreSQL).

    The list and the API page through this: a narrow query has fewer matches and all are
    ranked; a broad one ranks its newest 1,000, and the page says so. Elsewhere: `search()`.
    """
    if not is_postgres():
        return search(qs, q)
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    newest = qs.filter(search_vector=query).order_by("-created_at")
    sql, params = newest.values_list("pk", "created_at", "search_vector")[:RANKED_MATCHES].query.sql_with_params()
    # Ranked straight from the subquery's rows: each vector is read once more, no lookup by id.
    with connections[qs.db].cursor() as cursor:
        cursor.execute(
            f"SELECT c.id FROM ({sql}) AS c(id, created_at, vector)"  # noqa: S608 - Django's own SQL
            " ORDER BY ts_rank(c.vector, websearch_to_tsquery(%s::regconfig, %s)) DESC, c.created_at DESC",
            [*params, CONFIG, q],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    return Ranked(qs, ids)


class Ranked(Sequence):
    """Sessions in an order computed once: a paginator counts the ids (len) and fetches only its page."""

    def __init__(self, qs: QuerySet, ids: list[uuid.UUID]):
        self.qs, self.ids = qs, ids

    @property
    def capped(self) -> bool:
        """True when the list is full, so older matches may have been left out (the page says so)."""
        return len(self.ids) >= RANKED_MATCHES

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        rows = self.qs.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def _parse(q: str) -> list[tuple[str, bool]]:
    """(term, excluded) pairs for the icontains fallback: "a phrase" stays whole, -word excludes, every
    other word must match (websearch's `or` is not supported there and is ignored)."""
    parsed = []
    for minus, phrase, word in re.findall(r'(-?)(?:"([^"]+)"|(\S+))', q):
        term = (phrase or word).strip('"')
        if term and term.lower() != "or":
            parsed.append((term, bool(minus)))
    return parsed


def _terms(q: str) -> list[str]:
    return [term for term, excluded in _parse(q) if not excluded]


def _matches(term: str) -> Q:
    in_steps = Step.objects.filter(session_id=OuterRef("pk")).filter(_any(STEP_TEXT_FIELDS, term))
    in_notes = Activity.objects.filter(session_id=OuterRef("pk"), kind=NOTE_KIND, payload__text__icontains=term)
    return _any(SESSION_TEXT_FIELDS, term) | Q(Exists(in_steps)) | Q(Exists(in_notes))


def _any(fields: Iterable[str], term: str) -> Q:
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": term})
    return match


def snippets(session_ids: Iterable[uuid.UUID], q: str) -> dict[uuid.UUID, SafeString]:
    """A short excerpt per session with the query's words in <mark> (escaped, secrets redacted)."""
    ids = list(session_ids)
    if not ids or not q.strip():
        return {}
    if is_postgres():
        raw = _headlines(ids, q)
    else:
        raw = {pk: _excerpt(text, _terms(q)) for pk, text in _documents(ids).items()}
    return {pk: _safe(text) for pk, text in raw.items() if text and _START in text}


def _headlines(ids: list[uuid.UUID], q: str) -> dict[uuid.UUID, str]:
    """ts_headline over windows around each session's first matches (bounded text, one query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [CONFIG, q])
        lexemes = re.findall(r"(!?)'((?:[^']|'')+)'", cursor.fetchone()[0])
        found = _word_starts([lexeme.replace("''", "'") for negated, lexeme in lexemes if not negated] + _terms(q))
        texts = {pk: _windows(" \n ".join(filter(None, parts)), found) for pk, parts in _documents(ids).items()}
        options = {
            "StartSel": _START,
            "StopSel": _STOP,
            "MaxWords": SNIPPET_WORDS,
            "MinWords": 8,
            "MaxFragments": 2,
            "FragmentDelimiter": " … ",
        }
        options_sql = ", ".join(connection.ops.compose_sql(f"{key}=%s", [value]) for key, value in options.items())
        cursor.execute(
            "SELECT u.id, ts_headline(%s::regconfig, u.text, websearch_to_tsquery(%s::regconfig, %s), %s)"
            " FROM unnest(%s::uuid[], %s::text[]) AS u(id, text)",
            [CONFIG, CONFIG, q, options_sql, list(texts), list(texts.values())],
        )
        return dict(cursor.fetchall())


def _word_starts(words: list[str]) -> re.Pattern | None:
    """Words starting like a query lexeme ('bitlock' finds 'BitLocker'; 'polici' as 'polic' finds 'policy')."""
    starts = {word.lower()[:-1] if word.endswith("i") and len(word) > 3 else word.lower() for word in words}
    starts.discard("")
    if not starts:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(starts, key=len, reverse=True)) + ")", re.I)


def _windows(text: str, found: re.Pattern | None) -> str:
    """Up to SNIPPET_WINDOWS stretches of `text` around matches (cut at spaces), or its start."""
    spans: list[list[int]] = []
    for match in found.finditer(text) if found else ():
        if spans and match.start() < spans[-1][1]:
            continue  # inside the last window (which never grows, so the text stays bounded)
        if len(spans) == SNIPPET_WINDOWS:
            break
        spans.append([max(0, match.start() - SNIPPET_RADIUS), match.end() + SNIPPET_RADIUS])
    if not spans:
        spans = [[0, 2 * SNIPPET_RADIUS]]
    return " … ".join(_cut_at_spaces(*redacted_excerpt(text, start, end)) for start, end in spans)


def _cut_at_spaces(text: str, start: int, end: int) -> str:
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return text[start:end]


def _documents(ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each session's texts, private keys already masked (the one secret longer than an excerpt's
    context: `redact.redacted_excerpt`)."""
    docs: dict[uuid.UUID, list[str]] = {}
    for pk, *texts in Session.objects.filter(pk__in=ids).values_list("pk", *SESSION_TEXT_FIELDS):
        docs[pk] = texts
    for row in Step.objects.filter(session_id__in=ids).order_by("order").values("session_id", *STEP_TEXT_FIELDS):
        docs[row.pop("session_id")] += row.values()
    for session_id, text in Activity.objects.filter(session_id__in=ids, kind=NOTE_KIND).values_list(
        "session_id", "payload__text"
    ):
        docs[session_id].append(text or "")
    return {pk: [redact_private_keys(text) for text in texts] for pk, texts in docs.items()}


def _excerpt(texts: list[str], terms: list[str], radius: int = 80) -> str:
    """Around the first text that holds a term: that term and its neighbours marked."""
    if not terms:
        return ""
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    for text in texts:
        found = pattern.search(text or "")
        if not found:
            continue
        start, end = max(0, found.start() - radius), min(len(text), found.end() + radius)
        stretch, head, tail = redacted_excerpt(text, start, end)
        window = " ".join(stretch[head:tail].split())
        marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
        return ("… " if start else "") + marked + (" …" if end < len(text) else "")
    return ""


def _safe(text: str) -> SafeString:
    # Redact first (a match inside a secret loses its marks), then escape, then mark.
    text = escape(redact(" ".join(text.split())))
    text = re.sub(f"{_START}([^{_START}{_STOP}]*){_STOP}", r"<mark>\1</mark>", text)
    return mark_safe(text.replace(_START, "").replace(_STOP, ""))  # noqa: S308 - escaped just above
