"""
Websites the button was refused on: the hint in the refusal, what is kept of
it (bounded, normalised), and the channel page's list with its Allow button
(permission, CSRF, and the button endpoint answering the origin afterwards).
"""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from chat.configuration.refused_origins import (
    KEEP_PER_CHANNEL,
    LIST_ROWS,
    RefusedOrigin,
    recent_refusals,
    record_refusal,
)
from chat.widget.embedding import NEW_REFUSALS_PER_HOUR

BUTTON = "/chat/shop/api/button"


@pytest.fixture
def shop(make_channel):
    return make_channel(name="Shop", slug="shop", allowed_origins="https://shop.example")


def ask(origin, **headers):
    return Client().get(BUTTON, headers={"Origin": origin, **headers})


def kept(channel):
    return {row.origin: row.count for row in RefusedOrigin.objects.filter(channel=channel)}


# The refusal ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_refusal_names_the_setting_and_the_origin_for_the_console(shop):
    message = ask("http://localhost:8123").json()["error"]["message"]

    assert "http://localhost:8123" in message
    assert "“Allowed website origins”" in message
    assert "“Recently refused origins”" in message and "“Allow”" in message


@pytest.mark.django_db
def test_the_hint_speaks_the_browsers_language_not_the_channels(shop):
    # The channel is English; the site's owner reads the admin in German.
    message = ask("http://localhost:8123", **{"Accept-Language": "de"}).json()["error"]["message"]

    assert "„Zugelassene Website-Origins“" in message
    assert "Sie" in message and "http://localhost:8123" in message


@pytest.mark.django_db
def test_a_page_without_an_origin_to_allow_is_told_so(shop):
    message = ask("null").json()["error"]["message"]

    assert "opened from a file" in message and "“Allowed website origins”" in message


@pytest.mark.django_db
def test_this_sites_own_pages_and_the_allowed_ones_get_the_config(shop):
    assert ask("http://testserver").status_code == 200
    assert ask("https://shop.example").status_code == 200
    assert Client().get(BUTTON).status_code == 200
    assert kept(shop) == {}


# What is kept -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_refusal_is_counted_on_one_row_per_origin(shop):
    ask("https://evil.example")
    first = RefusedOrigin.objects.get(channel=shop)
    ask("https://evil.example")
    ask("https://evil.example")

    again = RefusedOrigin.objects.get(channel=shop)
    assert (again.origin, again.count) == ("https://evil.example", 3)
    assert again.first_seen == first.first_seen and again.last_seen > first.last_seen


@pytest.mark.django_db
def test_origins_are_kept_as_browsers_write_them(shop):
    for origin in ("HTTPS://Evil.Example:443", "https://evil.example", "http://[0:0::1]:8000"):
        ask(origin)

    assert kept(shop) == {"https://evil.example": 2, "http://[::1]:8000": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    [
        "https://*.example.com",
        "javascript:alert(1)",
        "https://evil.example/path",
        "https://user@evil.example",
        "https://evil.example:99999",
        "https://" + "a" * 300 + ".example",
        "<script>",
    ],
)
def test_what_is_not_an_origin_is_refused_and_not_kept(shop, origin):
    response = ask(origin)

    assert response.status_code == 403 and response.json()["error"]["code"] == "origin_not_allowed"
    assert kept(shop) == {}


@pytest.mark.django_db
def test_null_is_kept_but_cannot_be_allowed(shop):
    ask("null")

    (row,) = RefusedOrigin.objects.filter(channel=shop)
    assert row.origin == "null" and not row.can_be_allowed


@pytest.mark.django_db
def test_a_channel_keeps_only_its_latest_origins(shop, make_channel):
    other = make_channel()
    record_refusal(other, "https://other.example")
    for number in range(KEEP_PER_CHANNEL + 10):
        record_refusal(shop, f"https://fake{number}.example")

    origins = set(kept(shop))
    assert len(origins) == KEEP_PER_CHANNEL
    assert "https://fake0.example" not in origins and f"https://fake{KEEP_PER_CHANNEL + 9}.example" in origins
    assert kept(other) == {"https://other.example": 1}


@pytest.mark.django_db
def test_an_origin_seen_again_is_not_pushed_out(shop):
    record_refusal(shop, "https://real.example")
    for number in range(KEEP_PER_CHANNEL - 1):
        record_refusal(shop, f"https://fake{number}.example")
    record_refusal(shop, "https://real.example")
    record_refusal(shop, "https://one-more.example")

    assert kept(shop)["https://real.example"] == 2
    assert "https://fake0.example" not in kept(shop)


@pytest.mark.django_db
def test_one_address_adds_only_so_many_new_origins_an_hour(shop):
    for number in range(NEW_REFUSALS_PER_HOUR + 5):
        assert ask(f"https://fake{number}.example").status_code == 403

    assert len(kept(shop)) == NEW_REFUSALS_PER_HOUR
    # Known ones are still counted, and another address still adds.
    ask("https://fake0.example")
    Client(REMOTE_ADDR="10.0.0.2").get(BUTTON, headers={"Origin": "https://second.example"})
    assert kept(shop)["https://fake0.example"] == 2 and "https://second.example" in kept(shop)


@pytest.mark.django_db
def test_a_known_origin_costs_one_update(shop, django_assert_num_queries):
    ask("https://evil.example")

    # The channel, then the counter: no read of the row, no insert, no pruning.
    with django_assert_num_queries(2):
        assert ask("https://evil.example").status_code == 403


@pytest.mark.django_db
def test_the_list_is_the_newest_of_the_last_thirty_days(shop):
    old = RefusedOrigin.objects.create(
        channel=shop,
        origin="https://old.example",
        first_seen=timezone.now() - timedelta(days=40),
        last_seen=timezone.now() - timedelta(days=31),
    )
    for number in range(LIST_ROWS + 5):
        record_refusal(shop, f"https://fake{number}.example")

    listed = [row.origin for row in recent_refusals(shop)]
    assert len(listed) == LIST_ROWS
    assert listed[0] == f"https://fake{LIST_ROWS + 4}.example"
    # Pruned with the first insert after it was a month old.
    assert not RefusedOrigin.objects.filter(pk=old.pk).exists()


# The admin --------------------------------------------------------------------------------


def change_page(channel):
    return f"/admin/chat/channel/{channel.pk}/change/"


def allow_url(channel):
    return f"/admin/chat/channel/{channel.pk}/allow-origin/"


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "admin-password-123")


def staff(*codenames, csrf_checks=True):
    user = get_user_model().objects.create_user("staff", password="staff-password-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames, content_type__app_label="chat"))
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    return client


def csrf_token(client, channel):
    page = client.get(change_page(channel)).content.decode()
    form = re.search(r'<form id="helpdesk-allow-origin".*?</form>', page, re.S).group(0)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


@pytest.mark.django_db
def test_the_channel_page_lists_the_refused_origins_with_a_button_each(shop, root):
    ask("https://evil.example")
    ask("https://evil.example")
    ask("null")
    client = Client()
    client.force_login(root)

    page = client.get(change_page(shop)).content.decode()

    assert "Recently refused origins" in page
    row = re.search(r'<tr><th scope="row">https://evil.example</th>.*?</tr>', page, re.S).group(0)
    assert "<td>2</td>" in row
    assert 'form="helpdesk-allow-origin" name="origin" value="https://evil.example"' in row
    null_row = re.search(r'<tr><th scope="row">null</th>.*?</tr>', page, re.S).group(0)
    assert "<button" not in null_row and "cannot be allowed" in null_row
    assert f'<form id="helpdesk-allow-origin" method="post" action="{allow_url(shop)}" hidden>' in page


@pytest.mark.django_db
def test_allowing_adds_the_origin_and_the_button_config_answers_it(shop):
    ask("http://localhost:8123")
    client = staff("view_channel", "change_channel")

    response = client.post(
        allow_url(shop), {"origin": "http://localhost:8123", "csrfmiddlewaretoken": csrf_token(client, shop)}
    )

    assert response.status_code == 302 and response["Location"] == change_page(shop)
    shop.refresh_from_db()
    assert shop.allowed_origins == "https://shop.example\nhttp://localhost:8123"
    assert kept(shop) == {}
    assert LogEntry.objects.filter(object_id=str(shop.pk)).exists()
    page = client.get(change_page(shop)).content.decode()
    assert "The chat “Shop” may now be shown on http://localhost:8123" in page
    button = ask("http://localhost:8123")
    assert button.status_code == 200 and button["Access-Control-Allow-Origin"] == "http://localhost:8123"


@pytest.mark.django_db
def test_allowing_twice_lists_the_origin_once(shop, root):
    client = Client()
    client.force_login(root)
    client.post(allow_url(shop), {"origin": "https://two.example"})
    client.post(allow_url(shop), {"origin": "HTTPS://Two.Example"})

    shop.refresh_from_db()
    assert shop.allowed_origin_list == ["https://shop.example", "https://two.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["null", "https://*.example.com", "https://x.example;script-src *", ""])
def test_what_cannot_be_allowed_is_not(shop, root, origin):
    client = Client()
    client.force_login(root)

    response = client.post(allow_url(shop), {"origin": origin}, follow=True)

    assert "That is not a website origin that can be allowed." in response.content.decode()
    shop.refresh_from_db()
    assert shop.allowed_origins == "https://shop.example"


@pytest.mark.django_db
def test_allowing_needs_the_csrf_token(shop):
    client = staff("view_channel", "change_channel")

    response = client.post(allow_url(shop), {"origin": "https://evil.example"})

    assert response.status_code == 403
    shop.refresh_from_db()
    assert shop.allowed_origins == "https://shop.example"


@pytest.mark.django_db
def test_only_who_may_change_the_channel_sees_the_list_and_may_allow(shop):
    ask("https://evil.example")
    # Without the CSRF check, so that the permission is what refuses.
    client = staff("view_channel", csrf_checks=False)
    page = client.get(change_page(shop))

    assert page.status_code == 200
    assert "https://evil.example" not in page.content.decode() and "helpdesk-allow-origin" not in page.content.decode()
    assert client.post(allow_url(shop), {"origin": "https://evil.example"}).status_code == 403
    shop.refresh_from_db()
    assert shop.allowed_origins == "https://shop.example"


@pytest.mark.django_db
def test_allowing_is_a_post_by_staff(shop, root):
    assert Client().post(allow_url(shop), {"origin": "https://evil.example"}).status_code == 302  # to the login
    client = Client()
    client.force_login(root)
    assert client.get(allow_url(shop)).status_code == 405
    assert client.post("/admin/chat/channel/99999/allow-origin/", {"origin": "https://x.example"}).status_code == 404
    shop.refresh_from_db()
    assert shop.allowed_origins == "https://shop.example"
