"""The dashboard's figures of one period (the report, per tech, per domain) from one scan on PostgreSQL.

Computed apart, they read the period's escalations eight times: the totals, one sorted pass per
percentile of the report, and two queries each for per tech and per domain (which joined every session of the account).
On PostgreSQL one GROUPING SETS query over the same rows (`queries.claimed_escalations`) returns
the totals (with this month's, for the savings), every group's counts and average, and the medians
and p95s, read from each group's sorted values by the rules of `queries.py`: the median is the mean
of the two middle values, p95 the nearest rank at `nearest_rank_index`. Durations are summed and
sorted as whole microseconds in float8: exact below 2**53, and much faster than intervals (whose
AVG builds an array per row on PostgreSQL 15).
SQLite has neither GROUPING SETS nor arrays, so other databases compute the same figures the
separate way.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from analytics.breakdowns import domain_row, per_domain, per_tech, tech_row
from analytics.queries import (
    Stats,
    baseline_summary,
    build_report,
    claimed_escalations,
    escalation_report,
    month_start,
    seconds,
    window_start,
)

FIELDS = ("claimed_by_id", "problem_domain", "claimed_at", "ttfa", "time_to_claim")
# Over Django's query of FIELDS (its columns carry those names); parameters: since, month start, then Django's.
# Only narrow columns reach the sorts (the claimer's name joins the ~30 result rows, not the window's rows).
# Groups with no escalation in the period (only this month's, before it) are dropped; the grand total stays.
GROUPED = """
SELECT not_tech, not_domain, "claimed_by_id", claimer.{name}, claimer.{email}, "problem_domain",
       n, n_acted, ttfa_total, claim_total, n_month, month_total,
       (ttfa_sorted[(n_acted + 1) / 2] + ttfa_sorted[n_acted / 2 + 1]) / 2,
       ttfa_sorted[(95 * (n_acted - 1) + 50) / 100 + 1],
       (claim_sorted[(n + 1) / 2] + claim_sorted[n / 2 + 1]) / 2,
       claim_sorted[(95 * (n - 1) + 50) / 100 + 1]
FROM (
    SELECT GROUPING("claimed_by_id") AS not_tech, GROUPING("problem_domain") AS not_domain,
           "claimed_by_id", "problem_domain",
           COUNT(*) FILTER (WHERE in_period) AS n,
           COUNT(ttfa_us) FILTER (WHERE in_period) AS n_acted,
           SUM(ttfa_us) FILTER (WHERE in_period) AS ttfa_total,
           SUM(claim_us) FILTER (WHERE in_period) AS claim_total,
           COUNT(ttfa_us) FILTER (WHERE in_month) AS n_month,
           SUM(ttfa_us) FILTER (WHERE in_month) AS month_total,
           ARRAY_AGG(ttfa_us ORDER BY ttfa_us) FILTER (WHERE in_period AND ttfa_us IS NOT NULL) AS ttfa_sorted,
           ARRAY_AGG(claim_us ORDER BY claim_us) FILTER (WHERE in_period) AS claim_sorted
    FROM (
        SELECT "claimed_by_id", "problem_domain", "claimed_at" >= %s AS in_period, "claimed_at" >= %s AS in_month,
               ROUND(DATE_PART('epoch', "ttfa") * 1000000) AS ttfa_us,
               ROUND(DATE_PART('epoch', "time_to_claim") * 1000000) AS claim_us
        FROM ({rows}) AS claimed
    ) AS claimed
    GROUP BY GROUPING SETS ((), ("claimed_by_id"), ("problem_domain"))
    HAVING COUNT(*) FILTER (WHERE in_period) > 0 OR GROUPING("claimed_by_id", "problem_domain") = 3
) AS grouped
LEFT JOIN {users} AS claimer ON claimer.{pk} = "claimed_by_id"
ORDER BY not_tech, claimer.{name}, claimer.{email}, "problem_domain"
"""


def report_with_breakdowns(account_id, period: str, now: datetime | None = None) -> dict:
    """The API's and `escalation_metrics`' shape: the report's fields with per_tech and per_domain beside them."""
    figures = period_figures(account_id, period, now)
    return {**figures["report"], "per_tech": figures["per_tech"], "per_domain": figures["per_domain"]}


def _grouped_sql(rows: str) -> str:
    user, quote = get_user_model()._meta, connection.ops.quote_name
    columns = {key: quote(user.get_field(key).column) for key in ("name", "email")}
    return GROUPED.format(rows=rows, users=quote(user.db_table), pk=quote(user.pk.column), **columns)


def period_figures(account_id, period: str, now: datetime | None = None) -> dict:
    """{"report", "per_tech", "per_domain"}: the same figures as `escalation_report`, `per_tech`, `per_domain`."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        return {
            "report": escalation_report(account_id, period, now),
            "per_tech": per_tech(account_id, period, now),
            "per_domain": per_domain(account_id, period, now),
        }
    since, month = window_start(period, now), month_start(now)
    rows = claimed_escalations(account_id, since=min(since, month), until=now).order_by().values_list(*FIELDS)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # Django's own compiled query and table names, its parameters kept apart: nothing from the request is pasted.
        cursor.execute(_grouped_sql(sql), (since, month, *params))
        grouped = cursor.fetchall()
    techs, domains = [], []
    for not_tech, not_domain, claimer, name, email, domain, n, n_acted, ttfa_total, *rest in grouped:
        avg, median, p95 = _mean(ttfa_total, n_acted), _seconds(rest[-4]), _seconds(rest[-3])
        if not not_tech:
            techs.append(tech_row(claimer, name, email, n, n_acted, avg, median))
        elif not not_domain:
            domains.append(domain_row(domain, n, n_acted, avg, median))
        else:
            claim_total, n_month, month_total, _, _, claim_median, claim_p95 = rest
            claim_avg = _mean(claim_total, n)
            totals = {"n_claimed": n, "n_with_action": n_acted, "ttfa_avg": avg, "claim_avg": claim_avg}
            totals |= {"n_month": n_month, "ttfa_month": _duration(month_total)}
            ttfa = Stats(seconds(avg), median, p95)
            claim = Stats(seconds(claim_avg), _seconds(claim_median), _seconds(claim_p95))
    # The savings' distinct claimers with an action in the period, as `queries.period_totals` counts them.
    totals["n_seniors"] = sum(1 for row in techs if row["claimer_id"] and row["n_with_action"])
    report = build_report(period, baseline_summary(account_id), totals, claim, ttfa)
    return {"report": report, "per_tech": techs, "per_domain": domains}


def _duration(microseconds: float | None) -> timedelta | None:
    return None if microseconds is None else timedelta(microseconds=microseconds)


def _mean(total_us: float | None, n: int) -> timedelta | None:
    # Sums of whole microseconds are exact in a float8 (below 2**53): divide as Python divides a timedelta.
    return _duration(total_us) / n if n and total_us is not None else None


def _seconds(microseconds: float | None) -> float | None:
    # Whole microseconds (a median can end in .5): timedelta rounds them as Python's mean of two timedeltas does.
    return seconds(_duration(microseconds))
