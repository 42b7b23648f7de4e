"""``/api/v1/``: the router of the resources, the metrics, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import routers
from rest_framework.permissions import IsAuthenticated
from rest_framework.reverse import reverse

from . import reports, views
from .metrics import CircularityMetricsView, PackagingMetricsView
from .waste import WasteDisclosureView, WasteMetricsView


class APIRootView(routers.APIRootView):
    """AssetLife REST API v1. Authenticate with ``Authorization: Token <key>``."""

    permission_classes = [IsAuthenticated]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for key, name in (
            ("metrics/circularity", "metrics-circularity"),
            ("metrics/packaging", "metrics-packaging"),
            ("metrics/waste", "metrics-waste"),
        ):
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
router.register("dispositions", views.DispositionViewSet, basename="disposition")
router.register("packaging-records", views.PackagingRecordViewSet, basename="packaging-record")
router.register("targets", views.TargetViewSet, basename="target")
router.register("reports", reports.ComplianceReportViewSet, basename="report")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("metrics/circularity/", CircularityMetricsView.as_view(), name="metrics-circularity"),
    path("metrics/packaging/", PackagingMetricsView.as_view(), name="metrics-packaging"),
    path("metrics/waste/", WasteMetricsView.as_view(), name="metrics-waste"),
    path("metrics/waste/disclosure/", WasteDisclosureView.as_view(), name="metrics-waste-disclosure"),
    path("", include(router.urls)),
]
