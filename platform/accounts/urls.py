from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import RateLimitedAuthenticationForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=RateLimitedAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
