"""The inventory admin for data-center staff: one module per page family.

Thin by design: the pages read the models and call the services (``inventory.lifecycle``,
``inventory.registration``, ``inventory.imports``); no rule of the domain lives here.
"""

from .assets import AssetAdmin
from .catalog import PartModelAdmin, SiteAdmin
from .events import LifecycleEventAdmin

__all__ = ["AssetAdmin", "LifecycleEventAdmin", "PartModelAdmin", "SiteAdmin"]
