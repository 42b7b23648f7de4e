"""The API's endpoints that take writes, for tests that walk all of them."""

WRITE_URLS = [
    "/api/v1/sites/",
    "/api/v1/circular-centers/",
    "/api/v1/part-models/",
    "/api/v1/assets/",
    "/api/v1/events/",
    "/api/v1/shipments/",
    "/api/v1/sanitizations/",
    "/api/v1/dispositions/",
    "/api/v1/packaging-records/",
    "/api/v1/targets/",
    "/api/v1/assets/SRV-001/transition/",
    "/api/v1/assets/SRV-001/dismantle/",
    "/api/v1/assets/SRV-001/remove/",
    "/api/v1/assets/SRV-001/install/",
]
