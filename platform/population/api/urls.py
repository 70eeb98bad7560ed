from django.urls import path

from . import households as hv
from . import views as v

app_name = "population"

urlpatterns = [
    path("people/", v.PeopleView.as_view(), name="people"),
    path("people/search/", v.PeopleSearchView.as_view(), name="people-search"),
    path("people/<int:pk>/", v.PersonView.as_view(), name="person"),
    path("people/<int:pk>/reveal/", v.RevealView.as_view(), name="reveal"),
    path("people/<int:pk>/place/", v.PlaceView.as_view(), name="place"),
    path("people/<int:pk>/unplace/", v.UnplaceView.as_view(), name="unplace"),
    path("people/<int:pk>/transfer-out/", v.TransferOutView.as_view(), name="transfer-out"),
    path("people/<int:pk>/history/", v.HistoryView.as_view(), name="history"),
    path("city-record/search/", v.CityRecordSearchView.as_view(), name="city-search"),
    path("city-record/<int:pk>/transfer-in/", v.TransferInView.as_view(), name="transfer-in"),
    path("transfers/", v.TransfersView.as_view(), name="transfers"),
    path("transfers/<int:pk>/accept/", v.TransferDecisionView.as_view(decision="accept"), name="transfer-accept"),
    path("transfers/<int:pk>/reject/", v.TransferDecisionView.as_view(decision="reject"), name="transfer-reject"),
    path("buildings/<int:building_id>/houses/", v.BuildingHousesView.as_view(), name="building-houses"),
    path("stats/<int:unit_id>/", v.StatsView.as_view(), name="stats"),
    path("codes/", v.CodesView.as_view(), name="codes"),
    path("import/", v.ImportView.as_view(), name="import"),
    path("import/progress/<str:job>/", v.ImportProgressView.as_view(), name="import-progress"),
    path("export/", v.ExportView.as_view(), name="export"),
    path("pools/", hv.DirectoryView.as_view(), name="pools"),
    path("households/", hv.HouseholdsView.as_view(), name="households"),
    path("households/<int:pk>/", hv.HouseholdView.as_view(), name="household"),
    path("households/<int:pk>/members/", hv.HouseholdMembersView.as_view(), name="household-members"),
    path("households/<int:pk>/move/", hv.HouseholdMoveView.as_view(), name="household-move"),
    path("people/<int:pk>/leave-household/", hv.LeaveHouseholdView.as_view(), name="leave-household"),
    path("import-jobs/", hv.ImportJobView.as_view(), name="import-jobs"),
]
