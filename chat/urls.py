from django.urls import path

from chat.dashboard import files as dashboard_files
from chat.dashboard import history
from chat.dashboard import statistics as dashboard_statistics
from chat.dashboard import views as dashboard
from chat.widget import faq as faq_views
from chat.widget import files as widget_files
from chat.widget import postchat
from chat.widget import views as widget
from chat.widget.requests import submit_request

app_name = "chat"

urlpatterns = [
    path("<slug:slug>/", widget.widget_page, name="widget"),
    path("<slug:slug>/api/button", widget.button_config, name="button"),
    path("<slug:slug>/api/form", widget.validate_form, name="form"),
    path("<slug:slug>/api/start", widget.start, name="start"),
    path("<slug:slug>/api/state", widget.state, name="state"),
    path("<slug:slug>/api/postchat", postchat.submit, name="postchat"),
    path("<slug:slug>/api/request", submit_request, name="request"),
    path("<slug:slug>/api/faq", faq_views.suggestions, name="faq"),
    path("<slug:slug>/api/faq/<int:entry_id>/opened", faq_views.opened, name="faq-opened"),
    path("<slug:slug>/api/faq/<int:entry_id>/answered", faq_views.answered, name="faq-answered"),
    path("<slug:slug>/api/chat-faq/<int:entry_id>", faq_views.chat_answer, name="chat-faq"),
    path("<slug:slug>/api/files", widget_files.upload, name="file-upload"),
    path("<slug:slug>/api/files/<str:key>", widget_files.download, name="file"),
]

agent_urlpatterns = (
    [
        path("", dashboard.dashboard, name="dashboard"),
        path("history/", history.search, name="history"),
        path("history/<int:chat_id>/", history.past_chat, name="history-chat"),
        path("statistics/", dashboard_statistics.statistics_page, name="statistics"),
        path("statistics/live", dashboard_statistics.live, name="statistics-live"),
        path("chats/<int:chat_id>/files", dashboard_files.upload, name="file-upload"),
        path("files/<str:key>", dashboard_files.download, name="file"),
    ],
    "agent",
)
