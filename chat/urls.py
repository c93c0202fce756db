from django.urls import path

from chat.dashboard import views as dashboard
from chat.widget import faq as faq_views
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
]

agent_urlpatterns = ([path("", dashboard.dashboard, name="dashboard")], "agent")
