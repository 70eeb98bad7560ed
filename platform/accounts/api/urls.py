from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DepartmentViewSet, MeView, OrganisationViewSet, TokenRevokeView, TokenView, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("departments", DepartmentViewSet, basename="department")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="auth-token-revoke"),
    *router.urls,
]
