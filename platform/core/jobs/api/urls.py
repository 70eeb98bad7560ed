from django.urls import path

from . import views as v

app_name = "core-jobs"

urlpatterns = [
    path("jobs/", v.JobsView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", v.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/result/", v.JobResultView.as_view(), name="job-result"),
]
