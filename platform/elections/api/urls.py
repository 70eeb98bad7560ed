from django.urls import path

from . import views

urlpatterns = [
    path("evaluate/eligibility/", views.EvaluateEligibilityView.as_view(), name="elections-evaluate-eligibility"),
    path("evaluate/calendar/", views.EvaluateCalendarView.as_view(), name="elections-evaluate-calendar"),
]
