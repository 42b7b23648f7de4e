"""Every choice set of the inventory, used by constant (``Status.DEPLOYED``)."""

from django.db import models


class Status(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    DEPLOYED = "deployed", "Deployed"
    DECOMMISSIONED = "decommissioned", "Decommissioned"
    IN_TRANSIT = "in_transit", "In transit"
    AT_CIRCULAR_CENTER = "at_circular_center", "At circular center"
    RESOLD = "resold", "Resold"
    RECYCLED = "recycled", "Recycled"
    DISPOSED = "disposed", "Disposed"
    MISSING = "missing", "Missing"


TERMINAL_STATUSES = frozenset({Status.RESOLD, Status.RECYCLED, Status.DISPOSED})


class Category(models.TextChoices):
    SERVER = "server", "Server"
    CPU = "cpu", "CPU"
    GPU = "gpu", "GPU"
    MEMORY = "memory", "Memory"
    SSD = "ssd", "SSD"
    HDD = "hdd", "HDD"
    NIC = "nic", "NIC"
    PSU = "psu", "PSU"
    MOTHERBOARD = "motherboard", "Motherboard"
    FAN = "fan", "Fan"
    CHASSIS = "chassis", "Chassis"
    CABLE = "cable", "Cable"
    OTHER = "other", "Other"


# Storage devices hold customer data unless a part model says otherwise.
DATA_BEARING_CATEGORIES = frozenset({Category.SSD, Category.HDD})


def default_data_bearing(category: str) -> bool:
    return category in DATA_BEARING_CATEGORIES


class Action(models.TextChoices):
    TRANSITION = "transition", "Transition"
    REMOVE = "remove", "Remove from parent"
    INSTALL = "install", "Install into parent"


class Source(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "API"
    IMPORT = "import", "Import"
    JOB = "job", "Job"
