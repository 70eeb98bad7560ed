from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MyCommunityView.as_view(), name="residents-me"),
    path("communities/", views.CommunitySearchView.as_view(), name="residents-communities"),
    path("claims/", views.ClaimListView.as_view(), name="residents-claims"),
    path("claims/<int:pk>/<slug:decision>/", views.ClaimDecisionView.as_view(), name="residents-claim-decision"),
]
