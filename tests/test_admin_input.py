"""
Bad text typed into the Django admin (a NUL, %00 in a form post) is refused
with a form error, never stored and never a 500: PostgreSQL refuses NUL in
text columns, so it must not get that far.
"""

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from chat.configuration.models import Channel
from faq.models import Category, Entry

pytestmark = pytest.mark.django_db

NUL_REFUSED = "Null characters are not allowed."


def admin_forms(user):
    """(name, form class) of every add/change form and inline form the admin offers."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        name = model.__name__
        yield name, model_admin.get_form(request, None)
        for inline in model_admin.get_inline_instances(request, None):
            yield f"{name}/{inline.model.__name__}", inline.get_formset(request, None).form


def form_data(response):
    """The POST data of an admin change page as it stands: the main form and every inline formset."""
    context = response.context
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(item) for item in value]
            elif value is not None:
                data[form.add_prefix(name)] = str(value)

    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = str(value)
        for form in formset.forms:
            add(form)
    return data


def test_every_editable_text_field_of_every_admin_form_refuses_nul(admin_user):
    checked = []
    for form_name, form_class in admin_forms(admin_user):
        for field_name, field in form_class.base_fields.items():
            if not isinstance(field, forms.CharField):
                continue
            with pytest.raises(ValidationError) as refused:
                field.clean("text with a \x00 in it")
            assert "null_characters_not_allowed" in {error.code for error in refused.value.error_list}, (
                form_name,
                field_name,
            )
            checked.append(f"{form_name}.{field_name}")
    # The fields this project's administrators type text into are among them.
    for expected in (
        "Channel.welcome_message",
        "Channel.allowed_origins",
        "Entry.answer",
        "ReplyTemplate.body",
        "Channel/PreChatField.choices",
        "Category.name",
    ):
        assert expected in checked


def test_no_other_admin_field_fails_on_bad_text_with_anything_but_a_form_error(admin_user):
    unexpected = []
    for form_name, form_class in admin_forms(admin_user):
        for field_name, field in form_class.base_fields.items():
            for text in ("\x00", "a\x00b", "\ufffd", "1\x00"):
                try:
                    field.clean(text)
                except ValidationError:
                    pass
                except Exception as error:  # noqa: BLE001 - what the test looks for
                    unexpected.append((form_name, field_name, repr(text), repr(error)))
    assert unexpected == []


def test_a_nul_in_a_channels_welcome_message_is_refused_with_a_form_error(admin_client, make_channel):
    channel = make_channel(welcome_message="Hello!")
    url = f"/admin/chat/channel/{channel.pk}/change/"
    data = form_data(admin_client.get(url))
    data["welcome_message"] = "Hello\x00 there"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["welcome_message"] == [NUL_REFUSED]
    channel.refresh_from_db()
    assert channel.welcome_message == "Hello!"


def test_the_channel_form_as_it_stands_saves(admin_client, make_channel):
    channel = make_channel(welcome_message="Hello!")
    url = f"/admin/chat/channel/{channel.pk}/change/"
    data = form_data(admin_client.get(url))
    data["welcome_message"] = "Hello there"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.welcome_message == "Hello there"


def test_a_nul_in_an_faq_answer_is_refused_with_a_form_error_and_nothing_is_saved(admin_client):
    category = Category.objects.create(name="Returns")
    data = {
        "category": str(category.pk),
        "language": "en",
        "question": "How do I return an item?",
        "answer": "<p>Use the label.\x00</p>",
        "keywords": "",
        "published": "on",
        "order": "0",
    }

    response = admin_client.post("/admin/faq/entry/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["answer"] == [NUL_REFUSED]
    assert not Entry.objects.exists()


def test_a_percent_encoded_nul_in_an_admin_post_is_refused_too(admin_client):
    category = Category.objects.create(name="Returns")
    body = f"category={category.pk}&language=en&question=Q%00&answer=A&order=0&published=on"

    response = admin_client.post("/admin/faq/entry/add/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["question"] == [NUL_REFUSED]
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    "path", ["/admin/chat/channel/", "/admin/faq/entry/", "/admin/chat/chat/", "/admin/requests_app/request/"]
)
def test_a_nul_in_an_admin_search_answers_without_an_error(admin_client, make_channel, path):
    make_channel()

    response = admin_client.get(path, {"q": "x\x00y"})

    assert response.status_code == 200


def test_an_origin_with_a_wildcard_is_refused_in_the_admin_with_a_translated_error(admin_client, make_channel):
    channel = make_channel(allowed_origins="https://shop.example")
    url = f"/admin/chat/channel/{channel.pk}/change/"
    data = form_data(admin_client.get(url))
    data["allowed_origins"] = "https://shop.example\nhttps://*.example.com"

    # The locale middleware activates German in this thread; the override puts the language back after.
    with translation.override("en"):
        response = admin_client.post(url, data, headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert "allowed_origins" in response.context["adminform"].form.errors
    assert "https://*.example.com ist keine Website-Herkunft." in response.content.decode()
    channel.refresh_from_db()
    assert channel.allowed_origins == "https://shop.example"
    assert Channel.objects.get(pk=channel.pk).allowed_origin_list == ["https://shop.example"]


def test_the_workspace_settings_of_a_channel_are_kept_in_its_admin_page(admin_client, make_channel):
    channel = make_channel()
    url = f"/admin/chat/channel/{channel.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(wait_alert_minutes="5", unanswered_alert_minutes="", transfer_timeout_seconds="90")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.wait_alert_minutes, channel.unanswered_alert_minutes, channel.transfer_timeout_seconds) == (
        5,
        None,
        90,
    )
