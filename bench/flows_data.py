"""Bulk flows for `bench_flows`: a library of many published flows and long graphs to run or publish."""

import random
import uuid

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.utils import timezone

from accounts.models import Account, User
from bench.data import bulk_insert
from flowpilot.models import ProblemDomain
from flows import graph as graphs
from flows.models import Flow

WORDS = tuple(
    [
        "vpn",
        "outlook",
        "printer",
        "spooler",
        "dns",
        "dhcp",
        "mailbox",
        "licence",
        "teams",
        "onedrive",
        "sharepoint",
        "backup",
        "restore",
        "firewall",
        "certificate",
        "expired",
        "password",
        "reset",
        "mfa",
        "token",
        "laptop",
        "docking",
        "monitor",
        "driver",
        "bitlocker",
        "recovery",
        "key",
        "wifi",
        "roaming",
        "proxy",
        "pac",
        "browser",
        "cache",
        "profile",
        "corrupt",
        "sync",
        "quota",
        "exchange",
        "calendar",
        "permission",
        "share",
        "mapped",
        "drive",
        "gpo",
        "login",
        "script",
        "slow",
        "boot",
        "update",
        "pending",
        "reboot",
        "antivirus",
        "quarantine",
        "phishing",
    ]
)
# Products and error codes a real library names in a few flows each (one in four flows names one, so
# each term is in ~0.6% of the library): what narrow searches find, beside WORDS, which every flow shares.
RARE = ("sophos", "meraki", "fortigate", "sonicwall", "veeam", "datto", "intune", "autopilot", "jamf", "kaseya")
RARE += ("citrix", "okta", "duo", "zscaler", "sentinelone", "crowdstrike", "unifi", "synology", "barracuda", "mimecast")
RARE += ("0x80070005", "0x80070643", "0x8007000e", "0x800f081f", "0x80004005", "0xc000021a", "0x80073712")
RARE += ("0x8024402c", "0x80244022", "0x800f0922", "0x80072ee2", "0x8004010f", "0x800ccc0e", "0x80040600")
RARE += ("0x87d1fde8", "0x80180014", "0x801c03ed", "0x80090016", "0xcaa70004", "0x8018002b")
FLOW_FIELDS = ["id", "account", "title", "kind", "problem_domain", "tags", "description", "status", "graph"]
FLOW_FIELDS += ["latest_version", "search_text", "created_by", "created_at", "updated_at"]


def chain_graph(n_nodes: int, rng: random.Random, *, questions_every: int = 5) -> dict:
    """A valid graph of `n_nodes`: a chain of actions with a question every few nodes, ending resolved."""
    nodes = []
    for i in range(n_nodes - 2):
        text = " ".join(rng.choices(WORDS, k=6)).capitalize()
        if i % questions_every == 0:
            answers = [{"label": "Yes", "next": f"n{i + 1}"}, {"label": "No", "next": "give-up"}]
            nodes.append({"key": f"n{i}", "type": "question", "text": f"{text}?", "answers": answers})
        else:
            nodes.append(
                {"key": f"n{i}", "type": "action", "text": text, "command": "Get-Item C:\\", "next": f"n{i + 1}"}
            )
    nodes.append({"key": f"n{n_nodes - 2}", "type": "outcome", "text": "Fixed", "outcome": "resolved"})
    nodes.append({"key": "give-up", "type": "outcome", "text": "Needs a senior", "outcome": "escalate"})
    return {"schema_version": 1, "start": "n0", "nodes": nodes}


def seed_library(account: Account, author: User, n_flows: int, nodes_each: int, rng: random.Random) -> int:
    """`n_flows` published flows of `nodes_each` nodes with their stored search text and vector; the node count."""
    domains = ProblemDomain.values
    now = timezone.now()
    plan = []
    rare = random.Random(n_flows)  # its own stream: the rest of the library is what it was before RARE
    for i in range(n_flows):
        graph = chain_graph(nodes_each, rng)
        title = f"{' '.join(rng.choices(WORDS, k=3)).capitalize()} {i}"
        description = " ".join(rng.choices(WORDS, k=12))
        if rare.random() < 0.25:
            description += f" {rare.choice(RARE)}"
        tags = sorted(set(rng.choices(WORDS, k=2)))
        # The same text services.reindex stores: title, description, tags and every node's words.
        text = f"{title} {description} {' '.join([*tags, graphs.node_text(graph)])}".lower()
        plan.append((uuid.uuid4(), title, description, tags, graph, text, domains[i % len(domains)]))
    bulk_insert(
        Flow,
        FLOW_FIELDS,
        (
            (pk, account.pk, title, Flow.Kind.TROUBLESHOOTING, domain, tags, description, Flow.Status.PUBLISHED,
             graph, 1, text, author.pk, now, now)
            for pk, title, description, tags, graph, text, domain in plan
        ),
    )  # fmt: skip
    if connection.vendor == "postgresql":
        # One UPDATE in place of 10,000 calls to services.reindex: the same weights (A title and
        # tags, B description, C node text; the node text is the tail of search_text).
        Flow.objects.filter(account=account).update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector("description", weight="B", config="english")
            + SearchVector("search_text", weight="C", config="english")
        )
    return n_flows * nodes_each
