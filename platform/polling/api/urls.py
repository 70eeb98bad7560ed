from django.urls import path

from . import views

app_name = "polling"

urlpatterns = [
    path("evaluate/outcome/", views.EvaluateOutcomeView.as_view(), name="evaluate-outcome"),
]
