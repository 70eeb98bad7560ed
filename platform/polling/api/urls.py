from django.urls import path

from . import views

app_name = "polling"

urlpatterns = [
    path("evaluate/outcome/", views.EvaluateOutcomeView.as_view(), name="evaluate-outcome"),
    path("elections/", views.ElectionListView.as_view(), name="elections"),
    path("elections/<int:pk>/", views.ElectionView.as_view(), name="election"),
    path("elections/<int:pk>/stations/", views.StationsView.as_view(), name="stations"),
    path("elections/<int:pk>/cards/", views.CardsView.as_view(), name="cards"),
    path("elections/<int:pk>/votes/", views.VotesView.as_view(), name="votes"),
    path("elections/<int:pk>/proxies/", views.ProxiesView.as_view(), name="proxies"),
    path("elections/<int:pk>/announcements/", views.AnnouncementsView.as_view(), name="announcements"),
    path("elections/<int:pk>/archive/", views.ArchiveView.as_view(), name="archive"),
    path("elections/<int:pk>/archive/package/", views.ArchivePackageView.as_view(), name="archive-package"),
    path("stations/<int:pk>/groups/", views.StationGroupsView.as_view(), name="station-groups"),
    path("cards/<int:pk>/reprint/", views.CardReprintView.as_view(), name="card-reprint"),
    path("proxies/<int:pk>/cancel/", views.ProxyCancelView.as_view(), name="proxy-cancel"),
    path("votes/<int:pk>/", views.VoteView.as_view(), name="vote"),
    path("votes/<int:pk>/<str:action>/", views.VoteActionView.as_view(), name="vote-action"),
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
]
