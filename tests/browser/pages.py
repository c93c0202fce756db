"""Host pages and the steps a customer and an agent take, shared by the browser tests."""

import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations.models import AgentPresence, PresenceStatus


def snippet(server, slug, **data):
    attributes = "".join(f' data-{key}="{value}"' for key, value in data.items())
    return f'<script src="{server.url}/static/widget/loader.js" data-channel="{slug}"{attributes} async></script>'


def shop_page(server, slug, *, title="Shop", link="other.html", **data):
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><a href='{link}'>Next page</a>{snippet(server, slug, **data)}</body></html>"
    )


def make_shop_channel(host_site, agent=None, *, staffed=None, **fields):
    """
    The channel of the host site. With ``agent``, that agent is a member (and
    goes present in the dashboard). Without, ``staffed`` (the default) adds a
    present agent with no dashboard, so the channel is open for the next
    half minute (chat.conversations.agents.AGENT_GRACE_SECONDS).
    """
    fields.setdefault("assign_automatically", False)
    channel = Channel.objects.create(
        name="Shop", slug="shop", allowed_origins=host_site.origin, header_title="Shop service", **fields
    )
    if agent is not None:
        ChannelMembership.objects.create(channel=channel, user=agent)
    elif staffed is None or staffed:
        standby = get_user_model().objects.create_user(username="standby", first_name="Sam")
        ChannelMembership.objects.create(channel=channel, user=standby)
        # Straight to the table: services would ring the channel layer, which
        # cannot be reached from Playwright's event loop in this thread.
        AgentPresence.objects.create(user=standby, status=PresenceStatus.PRESENT, seen_at=timezone.now())
    return channel


def open_widget(page, label="Chat with us"):
    page.get_by_role("button", name=label).click()
    return page.frame_locator("iframe[title]")


def fill_prechat(widget, *, name="Erika Mustermann", email="erika@example.com"):
    widget.get_by_label("Name", exact=True).fill(name)
    widget.get_by_label("E-mail", exact=True).fill(email)
    widget.get_by_role("button", name="Continue").click()


def ask(widget, question):
    box = widget.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")


def send_as_customer(widget, text):
    box = widget.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def agent_login(page, server, username, password="agent-password-123"):
    page.goto(f"{server.url}/agent/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))
