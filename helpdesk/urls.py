from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chat.urls import agent_urlpatterns
from chat.widget.demo import host_page

urlpatterns = [
    path("", host_page, name="demo-host-page"),
    path("chat/", include("chat.urls")),
    path("agent/", include(agent_urlpatterns)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
