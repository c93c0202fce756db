"""Every kind of page carries the site's Content-Security-Policy; only the widget may be framed, by its channel's sites."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # blob: for the chat's images the widget fetched with its token in a header (static/widget/files.js).
    "img-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(response):
    """The response's one Content-Security-Policy header as {directive: [sources]}."""
    assert "Content-Security-Policy-Report-Only" not in response
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    policy = {name: sources for name, *sources in directives}
    assert len(policy) == len(directives), "a directive appears twice"
    return policy


@pytest.fixture
def shop(make_channel):
    return make_channel(slug="shop", allowed_origins="https://shop.example https://www.shop.example")


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "boss-password-123")


@pytest.mark.django_db
def test_the_widget_page_keeps_the_site_policy_and_may_be_framed_by_the_channels_sites(shop):
    policy = policy_of(Client().get("/chat/shop/"))

    assert policy == {**SITE_POLICY, "frame-ancestors": ["'self'", "https://shop.example", "https://www.shop.example"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/chat/shop/api/button"),
        ("get", "/chat/shop/api/state"),
        ("post", "/chat/shop/api/form"),
        ("post", "/chat/shop/api/start"),
        ("get", "/chat/shop/api/faq?q=parcel"),
    ],
)
def test_the_widgets_json_endpoints_carry_the_site_policy(shop, method, path):
    client = Client()
    if method == "post":
        response = client.post(path, data=json.dumps({"name": ""}), content_type="application/json")
    else:
        response = client.get(path)

    assert response["Content-Type"].startswith("application/json")
    assert policy_of(response) == SITE_POLICY


@pytest.mark.django_db
def test_the_dashboard_and_the_login_page_carry_the_site_policy(make_agent, make_channel):
    anonymous = Client()
    agent = Client()
    agent.force_login(make_agent(make_channel()))

    assert policy_of(anonymous.get("/accounts/login/")) == SITE_POLICY
    assert policy_of(anonymous.get("/agent/")) == SITE_POLICY  # the redirect to the login
    dashboard = agent.get("/agent/")
    assert dashboard.status_code == 200
    assert policy_of(dashboard) == SITE_POLICY


@pytest.mark.django_db
def test_the_admin_carries_the_site_policy(admin_user, shop):
    client = Client()
    assert policy_of(client.get("/admin/login/")) == SITE_POLICY
    client.force_login(admin_user)

    for path in ["/admin/", f"/admin/chat/channel/{shop.pk}/change/", "/admin/chat/chat/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert policy_of(response) == SITE_POLICY, path


@pytest.mark.django_db
def test_the_demo_host_page_is_under_the_site_policy_with_nothing_inline(settings, shop):
    settings.HELPDESK_DEMO_PAGE = True

    policy = policy_of(Client().get("/"))

    assert policy == SITE_POLICY


@pytest.mark.django_db
def test_an_error_page_carries_the_site_policy():
    response = Client().get("/chat/no-such-channel/")

    assert response.status_code == 404
    assert policy_of(response) == SITE_POLICY


def test_static_files_carry_no_policy(client):
    response = client.get("/static/widget/loader.js")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
