from rest_framework.routers import SimpleRouter

from .units import CommitteeViewSet, HouseViewSet, UnitViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("houses", HouseViewSet, basename="house")
router.register("committees", CommitteeViewSet, basename="committee")

urlpatterns = [*router.urls]
