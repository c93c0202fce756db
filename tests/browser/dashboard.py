"""
The dashboard in Chromium with chats waiting, in English or German: what the
keyboard, accessibility and layout tests share. Chats are started in the
database before the page loads (the page's first `state` lists them), so no
widget is needed.
"""

import re
import threading

from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import services

# The words of the dashboard the tests look for, per language, as a person
# reading the page would (locale/de/LC_MESSAGES/django.po).
WORDS = {
    "en": {
        "username": "Username",
        "password": "Password",
        "log_in": "Log in",
        "connected": "Connected",
        "status": "Status",
        "take_next": "Take next",
        "take": "Take {name}",
        "my_chats": "My chats",
        "message": "Message",
        "send": "Send",
        "messages": "Messages",
        "chat_menu": "Chat menu",
        "end_chat": "End chat",
        "cancel": "Cancel",
        "shortcuts": "Keyboard shortcuts",
        "close": "Close",
        "chat_ended": "This chat has ended.",
    },
    "de": {
        "username": "Benutzername",
        "password": "Passwort",
        "log_in": "Anmelden",
        "connected": "Verbunden",
        "status": "Status",
        "take_next": "Nächsten übernehmen",
        "take": "Chat mit {name} übernehmen",
        "my_chats": "Meine Chats",
        "message": "Nachricht",
        "send": "Senden",
        "messages": "Nachrichten",
        "chat_menu": "Chat-Menü",
        "end_chat": "Chat beenden",
        "cancel": "Abbrechen",
        "shortcuts": "Tastenkürzel",
        "close": "Schließen",
        "chat_ended": "Dieser Chat ist beendet.",
    },
}

LOCALES = {"en": "en-GB", "de": "de-DE"}
SMALL_SCREEN = {"width": 1024, "height": 768}
PASSWORD = "agent-password-123"


def make_agent_and_channel(username="anna", first_name="Anna"):
    channel = Channel.objects.create(name="Shop", slug="shop", allowed_origins="http://127.0.0.1:9999")
    agent = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=first_name)
    ChannelMembership.objects.create(channel=channel, user=agent)
    return agent, channel


def start_chats(channel, *names, question="My parcel has not arrived."):
    """
    Chats waiting in the channel's queue, oldest first. Started on a thread of
    their own: the services send their events through async_to_sync, which
    cannot run in this thread while Playwright's event loop does.
    """
    chats = []

    def start():
        try:
            for name in names:
                chat, _token = services.start_chat(
                    channel, name=name, email="erika@example.com", email_verified=True, form_data=[], question=question
                )
                chats.append(chat)
        finally:
            connection.close()

    worker = threading.Thread(target=start)
    worker.start()
    worker.join()
    assert len(chats) == len(names)
    return chats


def open_dashboard(new_page, server, *, language="en", username="anna", viewport=None):
    """The agent's dashboard, logged in, connected and present, in ``language``."""
    words = WORDS[language]
    page = new_page(locale=LOCALES[language], viewport=viewport or {"width": 1280, "height": 800})
    page.goto(f"{server.url}/agent/")
    page.get_by_label(words["username"]).fill(username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page).to_have_url(re.compile(r"/agent/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("status").filter(has_text=words["connected"])).to_be_visible()
    page.get_by_label(words["status"]).select_option("present")
    return page


def composer(page, language="en"):
    return page.get_by_role("textbox", name=WORDS[language]["message"], exact=True)
