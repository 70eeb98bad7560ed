from django.urls import path

from . import views as v

app_name = "core-rules"

urlpatterns = [
    path("rules/", v.RulesView.as_view(), name="rules"),
    path("rules/<str:key>/", v.RuleView.as_view(), name="rule"),
]
