"""Files outside the live chat: the transcript e-mail (a real SMTP server), a request made from the chat, the history page, the admin."""

import pytest
from django.test import Client

from chat.conversations import assignment, attachments, postchat, services
from chat.conversations import requests as chat_requests
from chat.conversations.models import Attachment, Party
from chat.conversations.notes import write_note
from tests.chat.files import PDF, empty_file_storage, png
from tests.chat.test_postchat import wait_until_sent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_stored_files():
    empty_file_storage()


@pytest.fixture
def chat_with_files(make_channel, make_agent, make_chat):
    channel = make_channel(slug="shop", transcript_enabled=True)
    agent = make_agent(channel, first_name="Anna")
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Please send me the invoice.")
    attachments.post_file(chat, author=Party.CUSTOMER, content=PDF, name="invoice.pdf", client_id="1")
    attachments.post_file(chat, author=Party.AGENT, agent=agent, content=png((300, 200)), name="label.png")
    return chat, agent


def test_the_transcript_names_the_files_and_attaches_them(chat_with_files, smtp_server):
    chat, _agent = chat_with_files
    _chat, email = postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)
    [message] = smtp_server.wait_for(1)
    wait_until_sent(email)
    text = smtp_server.text_of(message)
    assert "Erika: File: invoice.pdf (" in text and "Anna: File: label.png (" in text
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"invoice.pdf", "label.png"}
    assert files["invoice.pdf"].get_content_type() == "application/pdf"
    assert files["invoice.pdf"].get_content() == PDF
    assert files["label.png"].get_content().startswith(b"\x89PNG")
    assert "not attached" not in text


def test_files_over_the_budget_are_listed_by_name_and_size_instead(chat_with_files, smtp_server, settings):
    chat, _agent = chat_with_files
    pdf_size = Attachment.objects.get(chat=chat, name="invoice.pdf").size
    # Room for the PDF (sent first) and not for the image after it.
    settings.HELPDESK_TRANSCRIPT_ATTACHMENTS_MB = (pdf_size + 10) / (1024 * 1024)
    _chat, email = postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)
    [message] = smtp_server.wait_for(1)
    wait_until_sent(email)
    assert [part.get_filename() for part in message.iter_attachments()] == ["invoice.pdf"]
    text = smtp_server.text_of(message)
    assert "not attached because of their size" in text
    assert "- label.png (" in text
    assert "label.png" in smtp_server.html_of(message)


def test_a_request_made_from_the_chat_lists_its_files_and_no_note(chat_with_files):
    chat, agent = chat_with_files
    write_note(agent, chat, body="Customer seems upset", client_id="n1")
    request = chat_requests.create_request_from_chat(chat, agent=agent)
    assert "Erika: File: invoice.pdf (" in request.transcript
    assert "Anna: File: label.png (" in request.transcript
    assert "upset" not in request.transcript


def test_the_history_shows_files_with_image_thumbnails_and_links(chat_with_files):
    chat, agent = chat_with_files
    client = Client()
    client.force_login(agent)
    page = client.get(f"/agent/history/{chat.pk}/").content.decode()
    pdf = Attachment.objects.get(chat=chat, name="invoice.pdf")
    image = Attachment.objects.get(chat=chat, name="label.png")
    assert f'href="/agent/files/{pdf.key}"' in page and "Download invoice.pdf (" in page
    assert (
        f'<img class="history__thumb" src="/agent/files/{image.key}" alt="label.png" width="240" height="160"' in page
    )
    assert f'<img class="history__thumb" src="/agent/files/{pdf.key}"' not in page
    assert client.get(f"/agent/files/{image.key}").status_code == 200


def test_the_admin_edits_the_kinds_as_checkboxes_and_shows_the_files(chat_with_files, django_user_model):
    chat, _agent = chat_with_files
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-12345678")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/chat/channel/{chat.channel_id}/change/").content.decode()
    assert 'type="checkbox" name="attachment_kinds" value="images"' in page
    assert page.count('name="attachment_kinds"') == 4
    chat_page = client.get(f"/admin/chat/chat/{chat.pk}/change/").content.decode()
    assert "invoice.pdf" in chat_page and "label.png" in chat_page and "application/pdf" in chat_page
    assert Attachment.objects.get(name="invoice.pdf").key not in chat_page


def test_the_channel_form_stores_the_chosen_kinds_comma_separated(make_channel):
    from chat.admin.channels import ChannelAdminForm

    channel = make_channel()
    form = ChannelAdminForm(
        {"attachments_enabled": "on", "attachment_kinds": ["pdf", "images"], "attachment_max_mb": "5"},
        instance=channel,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachment_kinds"] == "images,pdf"
    fresh = type(channel).objects.get(pk=channel.pk)  # validating wrote the cleaned values into ``channel``
    assert ChannelAdminForm(instance=fresh).initial["attachment_kinds"] == ["images", "pdf", "office", "text"]
    refused = ChannelAdminForm({"attachments_enabled": "on", "attachment_max_mb": "5"}, instance=channel)
    assert not refused.is_valid() and "attachment_kinds" in refused.errors
