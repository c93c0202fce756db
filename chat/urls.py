from django.urls import path

from chat.views import dashboard, widget

app_name = "chat"

urlpatterns = [
    path("<slug:slug>/", widget.widget_page, name="widget"),
    path("<slug:slug>/api/button", widget.button_config, name="button"),
    path("<slug:slug>/api/form", widget.validate_form, name="form"),
    path("<slug:slug>/api/start", widget.start, name="start"),
    path("<slug:slug>/api/state", widget.state, name="state"),
]

agent_urlpatterns = ([path("", dashboard.dashboard, name="dashboard")], "agent")
