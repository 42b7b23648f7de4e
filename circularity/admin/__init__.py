"""The circularity admin: one module per concern, each registering its ModelAdmins.

* ``centers``   circular centers; shipments (ship and receive through ``custody``)
* ``triage``    the technicians' queue of assets at circular centers and an asset's
                page, with buttons for a disposition, a sanitization, a dismantling
* ``triage_actions`` the same three as bulk actions on the queue, all-or-nothing
* ``records``   dispositions and sanitizations (read-only once recorded), packaging
                records and targets (editable)
* ``custody``   vendors and their certifications, lots (weight tickets), evidence files
* ``sanitization_batches`` drives sanitized together, their drawn sample and its results
* ``snapshots`` monthly snapshots (read-only) and their refresh buttons
* ``circularity.reports.admin`` compliance reports and their recipients

The dashboard is ``circularity.dashboard`` (``/admin/dashboard/``), linked from the
admin index.
"""

from circularity.reports import admin as reports_admin  # noqa: F401

from . import centers, custody, records, sanitization_batches, snapshots, triage  # noqa: F401
