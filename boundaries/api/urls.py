from django.urls import path
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the GeoJSON schema extension)
from .drawing import AsOfView, ImportView, PreviewView
from .restructure import MergePreviewView, SplitPreviewView
from .units import CommitteeViewSet, HouseViewSet, UnitViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("houses", HouseViewSet, basename="house")
router.register("committees", CommitteeViewSet, basename="committee")

urlpatterns = [
    path("boundaries/preview/", PreviewView.as_view(), name="boundary-preview"),
    path("boundaries/split-preview/", SplitPreviewView.as_view(), name="boundary-split-preview"),
    path("boundaries/merge-preview/", MergePreviewView.as_view(), name="boundary-merge-preview"),
    path("boundaries/as-of/", AsOfView.as_view(), name="boundary-as-of"),
    path("boundaries/import/", ImportView.as_view(), name="boundary-import"),
    *router.urls,
]
