"""Invariants of dispositions, custody records, packaging and targets (``manage.py check_data``).

Beside ``inventory.integrity`` (the machinery and the assets' invariants). Reuse cycles:
an asset may have several dispositions, one per custody cycle; every one of them must
have moved the asset (an event at ``decided_at`` from ``at_circular_center`` to the
route's state), only the last may be terminal, and a terminal asset's last disposition
is the one that put it there.
"""

from __future__ import annotations

from inventory.choices import TERMINAL_STATUSES, Action, Status
from inventory.integrity import ASSETS, EVENTS, Check, literals, text

from .choices import ROUTE_STATUS, Route
from .models import (
    FIRST_TARGET_YEAR,
    LAST_TARGET_YEAR,
    Disposition,
    PackagingRecord,
    SanitizationRecord,
    Shipment,
    Target,
)

DISPOSITIONS = Disposition._meta.db_table
SANITIZATIONS = SanitizationRecord._meta.db_table
SHIPMENTS = Shipment._meta.db_table
PACKAGING = PackagingRecord._meta.db_table
TARGETS = Target._meta.db_table

# "route>status" for each route and the state it leaves an asset in.
ROUTE_LEADS_TO = literals(f"{route}>{status}" for route, status in ROUTE_STATUS.items())
ROUTE_STATE = "CASE d.route " + " ".join(f"WHEN '{r}' THEN '{s}'" for r, s in ROUTE_STATUS.items()) + " END"


def _outside(column: str, *, day: bool = False) -> str:
    low, high = ("%(first_day)s", "%(last_day)s") if day else ("%(earliest)s", "%(latest)s")
    return f"({column} < {low} OR {column} > {high})"


def circularity_checks() -> list[Check]:
    in_range = "d.id BETWEEN %(lo)s AND %(hi)s"
    latest_disposition = f"""
        SELECT asset_id, route,
               ROW_NUMBER() OVER (PARTITION BY asset_id ORDER BY decided_at DESC, id DESC) AS position
        FROM {DISPOSITIONS} WHERE asset_id BETWEEN %(lo)s AND %(hi)s"""
    return [
        Check(
            "disposition_moment_out_of_range",
            "a disposition was decided between 1990-01-01T00:00Z and five minutes after now",
            DISPOSITIONS,
            f"""SELECT d.id, a.serial_number, {text("d.decided_at")}
                FROM {DISPOSITIONS} d JOIN {ASSETS} a ON a.id = d.asset_id
                WHERE {in_range} AND {_outside("d.decided_at")}""",
            lambda row: f"{row[1]} (disposition {row[0]}): decided_at {row[2]}",
        ),
        Check(
            "sanitization_moment_out_of_range",
            "a sanitization was performed between 1990-01-01T00:00Z and five minutes after now",
            SANITIZATIONS,
            f"""SELECT s.id, a.serial_number, {text("s.performed_at")}
                FROM {SANITIZATIONS} s JOIN {ASSETS} a ON a.id = s.asset_id
                WHERE s.id BETWEEN %(lo)s AND %(hi)s AND {_outside("s.performed_at")}""",
            lambda row: f"{row[1]} (sanitization {row[0]}): performed_at {row[2]}",
        ),
        Check(
            "shipment_moment_out_of_range",
            "a shipment was shipped and received between 1990-01-01T00:00Z and five minutes after now",
            SHIPMENTS,
            f"""SELECT id, tracking_ref, {text("shipped_at")}, {text("received_at")} FROM {SHIPMENTS}
                WHERE id BETWEEN %(lo)s AND %(hi)s AND ({_outside("shipped_at")} OR {_outside("received_at")})""",
            lambda row: f"shipment {row[0]} {row[1]}: shipped_at {row[2]}, received_at {row[3]}",
        ),
        Check(
            "packaging_day_out_of_range",
            "packages were received between 1990-01-01 and tomorrow (UTC)",
            PACKAGING,
            f"""SELECT id, {text("received_on")} FROM {PACKAGING}
                WHERE id BETWEEN %(lo)s AND %(hi)s AND {_outside("received_on", day=True)}""",
            lambda row: f"packaging record {row[0]}: received_on {row[1]}",
        ),
        Check(
            "target_out_of_range",
            f"a target's fiscal years lie in FY{FIRST_TARGET_YEAR} … FY{LAST_TARGET_YEAR}, the baseline's "
            "first, and its values are fractions (0 … 1)",
            TARGETS,
            f"""SELECT id, metric, target_fiscal_year, baseline_fiscal_year,
                       {text("target_value")}, {text("baseline_value")} FROM {TARGETS}
                WHERE id BETWEEN %(lo)s AND %(hi)s AND (
                    target_fiscal_year NOT BETWEEN {FIRST_TARGET_YEAR} AND {LAST_TARGET_YEAR}
                    OR baseline_fiscal_year NOT BETWEEN {FIRST_TARGET_YEAR} AND {LAST_TARGET_YEAR}
                    OR baseline_fiscal_year >= target_fiscal_year
                    OR target_value < 0 OR target_value > 1 OR baseline_value < 0 OR baseline_value > 1)""",
            lambda row: (
                f"target {row[0]} ({row[1]}): FY{row[2]} from baseline FY{row[3]}, "
                f"value {row[4]}, baseline value {row[5]}"
            ),
        ),
        Check(
            "terminal_without_its_disposition",
            "an asset resold, recycled or disposed got there by its last disposition",
            ASSETS,
            f"""SELECT a.id, a.serial_number, a.status, d.route
                FROM {ASSETS} a LEFT JOIN ({latest_disposition}) d ON d.asset_id = a.id AND d.position = 1
                WHERE a.id BETWEEN %(lo)s AND %(hi)s AND a.status IN ({literals(TERMINAL_STATUSES)})
                  AND (d.route IS NULL OR (d.route || '>' || a.status) NOT IN ({ROUTE_LEADS_TO}))""",
            lambda row: (
                f"{row[1]} (asset {row[0]}): {row[2]}, "
                + (f"but its last disposition is {row[3]}" if row[3] else "without a disposition")
            ),
        ),
        Check(
            "disposition_not_in_asset_state",
            "a terminal route (resale, recycle, disposal) is final: its asset is still in that state",
            DISPOSITIONS,
            f"""SELECT d.id, a.serial_number, d.route, a.status
                FROM {DISPOSITIONS} d JOIN {ASSETS} a ON a.id = d.asset_id
                WHERE {in_range} AND d.route <> '{Route.REUSE}'
                  AND (d.route || '>' || a.status) NOT IN ({ROUTE_LEADS_TO})""",
            lambda row: f"{row[1]} (disposition {row[0]}): {row[2]}, but the asset is {row[3]}",
        ),
        Check(
            "disposition_without_its_event",
            "every disposition, reuse cycles included, moved its asset: an event at decided_at from "
            "at_circular_center to the route's state",
            DISPOSITIONS,
            f"""SELECT d.id, a.serial_number, d.route, {text("d.decided_at")}
                FROM {DISPOSITIONS} d JOIN {ASSETS} a ON a.id = d.asset_id
                WHERE {in_range} AND NOT EXISTS (
                    SELECT 1 FROM {EVENTS} e
                    WHERE e.asset_id = d.asset_id AND e.occurred_at = d.decided_at
                      AND e.action = '{Action.TRANSITION}' AND e.from_status = '{Status.AT_CIRCULAR_CENTER}'
                      AND e.to_status = {ROUTE_STATE})""",
            lambda row: f"{row[1]} (disposition {row[0]}): {row[2]} at {row[3]} has no event moving the asset",
        ),
    ]


__all__ = ["circularity_checks"]
