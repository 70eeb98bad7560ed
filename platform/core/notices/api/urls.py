from django.urls import path

from . import views as v

app_name = "core-notices"

urlpatterns = [
    path("messages/", v.MessagesView.as_view(), name="messages"),
    path("messages/read-all/", v.MessagesReadAllView.as_view(), name="messages-read-all"),
    path("messages/<int:pk>/read/", v.MessageReadView.as_view(), name="message-read"),
    path("notices/<int:pk>/", v.NoticeView.as_view(), name="notice"),
    path("sms/opt-outs/", v.OptOutView.as_view(), name="sms-opt-outs"),
]
