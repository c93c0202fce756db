"""Host pages and the steps a customer and an agent take, shared by the browser tests."""
import re

from playwright.sync_api import expect

from chat.models import Channel, ChannelMembership


def snippet(server, slug, **data):
    attributes = "".join(f' data-{key}="{value}"' for key, value in data.items())
    return f'<script src="{server.url}/static/widget/loader.js" data-channel="{slug}"{attributes} async></script>'


def shop_page(server, slug, *, title="Shop", link="other.html", **data):
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><a href='{link}'>Next page</a>{snippet(server, slug, **data)}</body></html>"
    )


def make_shop_channel(host_site, agent=None, **fields):
    fields.setdefault("assign_automatically", False)
    channel = Channel.objects.create(
        name="Shop", slug="shop", allowed_origins=host_site.origin, header_title="Shop service", **fields
    )
    if agent is not None:
        ChannelMembership.objects.create(channel=channel, user=agent)
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
