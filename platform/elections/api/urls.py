from django.urls import path

from . import views as v

urlpatterns = [
    path("evaluate/eligibility/", v.EvaluateEligibilityView.as_view(), name="elections-evaluate-eligibility"),
    path("evaluate/calendar/", v.EvaluateCalendarView.as_view(), name="elections-evaluate-calendar"),
    path("meta/", v.MetaView.as_view(), name="elections-meta"),
    path("supervision/", v.SupervisionView.as_view(), name="elections-supervision"),
    path("duplicates/", v.DuplicatesView.as_view(), name="elections-duplicates"),
    path("app/", v.AppElectionsView.as_view(), name="elections-app"),
    path("app/<int:pk>/objections/", v.AppObjectionView.as_view(), name="elections-app-objection"),
    path("", v.ElectionListView.as_view(), name="elections-list"),
    path("<int:pk>/", v.ElectionDetailView.as_view(), name="elections-detail"),
    path("<int:pk>/advance/", v.AdvanceView.as_view(), name="elections-advance"),
    path("<int:pk>/timeline/", v.TimelineView.as_view(), name="elections-timeline"),
    path("<int:pk>/voters/", v.VoterListView.as_view(), name="elections-voters"),
    path("<int:pk>/pool-preview/", v.PoolPreviewView.as_view(), name="elections-pool-preview"),
    path("<int:pk>/import-pool/", v.ImportPoolView.as_view(), name="elections-import-pool"),
    path("<int:pk>/import-excel/", v.ImportExcelView.as_view(), name="elections-import-excel"),
    path("<int:pk>/conflicts/", v.ConflictListView.as_view(), name="elections-conflicts"),
    path("<int:pk>/submit-roll/", v.SubmitRollView.as_view(), name="elections-submit-roll"),
    path("<int:pk>/objections/", v.ObjectionListView.as_view(), name="elections-objections"),
    path("<int:pk>/candidates/", v.CandidateListView.as_view(), name="elections-candidates"),
    path("<int:pk>/formal-list/", v.FormalListView.as_view(), name="elections-formal-list"),
    path("<int:pk>/submit-review/", v.SubmitReviewView.as_view(), name="elections-submit-review"),
    path("<int:pk>/vettings/", v.VettingListView.as_view(), name="elections-vettings"),
    path("<int:pk>/stops/", v.StopListView.as_view(), name="elections-stops"),
    path("voters/<int:pk>/remove/", v.VoterRemoveView.as_view(), name="elections-voter-remove"),
    path("objections/<int:pk>/decide/", v.ObjectionDecideView.as_view(), name="elections-objection-decide"),
    path("candidates/<int:pk>/", v.CandidateView.as_view(), name="elections-candidate"),
    path("vettings/<int:pk>/answer/", v.VettingAnswerView.as_view(), name="elections-vetting-answer"),
    path("stops/<int:pk>/authorise/", v.AuthoriseView.as_view(), name="elections-authorise"),
]
