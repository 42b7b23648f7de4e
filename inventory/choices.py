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
    BATTERY = "battery", "Battery"
    OTHER = "other", "Other"


# Storage devices hold customer data unless a part model says otherwise.
DATA_BEARING_CATEGORIES = frozenset({Category.SSD, Category.HDD})


def default_data_bearing(category: str) -> bool:
    return category in DATA_BEARING_CATEGORIES


class FocusMaterial(models.TextChoices):
    """R2v3 focus materials a part contains (SPEC section 10): what a downstream vendor must be told."""

    BATTERY = "battery", "Battery"
    CIRCUIT_BOARD = "circuit_board", "Circuit board"
    MERCURY = "mercury", "Mercury"
    PCB_CAPACITOR = "pcb_capacitor", "PCB capacitor"
    CRT = "crt", "CRT"
    DATA_STORAGE = "data_storage", "Data storage"


# Batteries are hazardous waste unless a part model says otherwise (SPEC section 10).
HAZARDOUS_CATEGORIES = frozenset({Category.BATTERY})

# What a part of a category contains unless its part model says otherwise.
DEFAULT_FOCUS_MATERIALS = {
    Category.BATTERY: (FocusMaterial.BATTERY,),
    Category.SSD: (FocusMaterial.DATA_STORAGE,),
    Category.HDD: (FocusMaterial.DATA_STORAGE,),
}


def default_hazardous(category: str) -> bool:
    return category in HAZARDOUS_CATEGORIES


def default_focus_materials(category: str) -> list[str]:
    return [str(material) for material in DEFAULT_FOCUS_MATERIALS.get(category, ())]


class Action(models.TextChoices):
    TRANSITION = "transition", "Transition"
    REMOVE = "remove", "Remove from parent"
    INSTALL = "install", "Install into parent"


class Source(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "API"
    IMPORT = "import", "Import"
    JOB = "job", "Job"
