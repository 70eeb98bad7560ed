from rest_framework.routers import SimpleRouter

from .views import VIEWSETS

router = SimpleRouter()
for _kind, _viewset in VIEWSETS.items():
    # /api/places/facility/, /api/places/organisation/, /api/places/resident_unit/, /api/places/event/
    router.register(_kind, _viewset, basename=f"place-{_kind}")

urlpatterns = router.urls
