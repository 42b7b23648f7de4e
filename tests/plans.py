"""Reading PostgreSQL plans in tests: what a query really did (``EXPLAIN ANALYZE``)."""

from __future__ import annotations

import json

from django.db import connection

JOINS = ("Nested Loop", "Hash Join", "Merge Join")


def analyze(sql: str, params=()) -> dict:
    """The executed plan of ``sql``: its root node, with actual rows and loops."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def subplan_loops(plan: dict) -> list[int]:
    """How many times each correlated subquery ran (once per row it was computed for)."""
    return [node["Actual Loops"] for node in nodes(plan) if node.get("Parent Relationship") == "SubPlan"]


def most_rows_joined(plan: dict) -> int:
    """The most rows any join of the plan produced."""
    return max(
        (node["Actual Rows"] * node["Actual Loops"] for node in nodes(plan) if node["Node Type"] in JOINS), default=0
    )
