"""``/api/v1/``: the router of the resources, the metrics, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.permissions import IsAuthenticated
from rest_framework.reverse import reverse

from . import reports, views
from .metrics import (
    CircularityMetricsView,
    HarvestedPartsView,
    MassBalanceView,
    PackagingMetricsView,
    ValueRecoveredView,
)
from .waste import WasteDisclosureView, WasteMetricsView

METRICS = (
    ("metrics/circularity", "metrics-circularity"),
    ("metrics/packaging", "metrics-packaging"),
    ("metrics/waste", "metrics-waste"),
    ("metrics/mass-balance", "metrics-mass-balance"),
    ("metrics/value-recovered", "metrics-value-recovered"),
    ("metrics/harvested-parts", "metrics-harvested-parts"),
)


class APIRootView(routers.APIRootView):
    """AssetLife REST API v1. Authenticate with ``Authorization: Token <key>``."""

    permission_classes = [IsAuthenticated]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for key, name in METRICS:
            response.data[key] = reverse(name, request=request)
        return response


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("sites", views.SiteViewSet, basename="site")
router.register("circular-centers", views.CircularCenterViewSet, basename="circular-center")
router.register("part-models", views.PartModelViewSet, basename="part-model")
router.register("assets", views.AssetViewSet, basename="asset")
router.register("events", views.EventViewSet, basename="event")
router.register("shipments", views.ShipmentViewSet, basename="shipment")
router.register("sanitizations", views.SanitizationViewSet, basename="sanitization")
router.register("sanitization-batches", views.SanitizationBatchViewSet, basename="sanitization-batch")
router.register("dispositions", views.DispositionViewSet, basename="disposition")
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register("lots", views.LotViewSet, basename="lot")
router.register("evidence-files", views.EvidenceFileViewSet, basename="evidence-file")
router.register("packaging-records", views.PackagingRecordViewSet, basename="packaging-record")
router.register("targets", views.TargetViewSet, basename="target")
router.register("reports", reports.ComplianceReportViewSet, basename="report")

# The docs pages load nothing from outside this server, even where the bundled script
# would (ReDoc's footer logo comes from cdn.redoc.ly): the browser is told so.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def offline(view):
    def docs_page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response

    return docs_page


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", offline(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path(
        "redoc/",
        offline(SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")),
        name="api-redoc",
    ),
    path("metrics/circularity/", CircularityMetricsView.as_view(), name="metrics-circularity"),
    path("metrics/packaging/", PackagingMetricsView.as_view(), name="metrics-packaging"),
    path("metrics/mass-balance/", MassBalanceView.as_view(), name="metrics-mass-balance"),
    path("metrics/value-recovered/", ValueRecoveredView.as_view(), name="metrics-value-recovered"),
    path("metrics/harvested-parts/", HarvestedPartsView.as_view(), name="metrics-harvested-parts"),
    path("metrics/waste/", WasteMetricsView.as_view(), name="metrics-waste"),
    path("metrics/waste/disclosure/", WasteDisclosureView.as_view(), name="metrics-waste-disclosure"),
    path("", include(router.urls)),
]
