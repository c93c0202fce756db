"""The widget's pre-chat form endpoint (docs/api.md), with the e-mail check against the test DNS server."""

import dns.message
import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.utils import translation

from tests.chat.widget_forms import GOOD_FORM, good_extra_fields
from tests.support.http import post_json

# api/form ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_good_form_is_accepted_with_a_verified_e_mail(channel):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", {"name": "Erika", "email": "Erika@EXAMPLE.com"})

    assert response.status_code == 200
    assert response.json() == {"ok": True, "email": "Erika@example.com", "email_verified": True}


@pytest.mark.django_db(transaction=True)
async def test_a_form_whose_e_mail_domain_times_out_is_accepted_unverified(channel):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", {"name": "Erika", "email": "erika@slow.example"})

    assert response.status_code == 200
    assert response.json() == {"ok": True, "email": "erika@slow.example", "email_verified": False}


@pytest.mark.django_db(transaction=True)
async def test_a_form_whose_e_mail_domain_uses_the_a_fallback_is_accepted_verified(channel):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", {"name": "Erika", "email": "erika@a-only.example"})

    assert response.status_code == 200
    assert response.json()["email_verified"] is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "erika@example.com"}, "name", "Please enter your name."),
        ({"name": "   ", "email": "erika@example.com"}, "name", "Please enter your name."),
        ({"name": "E" * 101, "email": "erika@example.com"}, "name", "Please use at most 100 characters."),
        ({"name": "Erika"}, "email", "Please enter your e-mail address."),
        ({"name": "Erika", "email": "erika@"}, "email", "Enter a valid e-mail address, e.g. name@example.com."),
        (
            {"name": "Erika", "email": "erika@no-such-domain.example"},
            "email",
            "The domain no-such-domain.example does not exist. Please check the address.",
        ),
        (
            {"name": "Erika", "email": "erika@nullmx.example"},
            "email",
            "The domain nullmx.example does not accept e-mail. Please use another address.",
        ),
        (
            {"name": "Erika", "email": "erika@nomail.example"},
            "email",
            "The domain nomail.example has no mail server. Please check the address.",
        ),
    ],
)
async def test_a_wrong_name_or_e_mail_is_refused_with_a_message_for_the_field(channel, form, field, message):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", form)

    assert response.status_code == 400
    data = response.json()
    assert data["error"] == {"code": "invalid_form", "message": "Please correct the marked fields."}
    assert data["fields"] == {field: message}


@pytest.mark.django_db(transaction=True)
async def test_a_form_with_all_extra_fields_right_is_accepted(form_channel):
    form = {**GOOD_FORM, "fields": good_extra_fields()}

    response = await post_json(AsyncClient(), "/chat/forms/api/form", form)

    assert response.status_code == 200, response.json()
    assert response.json()["ok"] is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"customer_number": ""}, "customer_number", "This field is required."),
        ({"customer_number": None}, "customer_number", "This field is required."),
        ({"privacy": False}, "privacy", "Please tick this box to continue."),
        ({"privacy": None}, "privacy", "Please tick this box to continue."),
        ({"topic": "Complaints"}, "topic", "Choose one of the options."),
        ({"phone": "call me maybe"}, "phone", "Enter a phone number, e.g. +49 30 1234567."),
        ({"phone": "12"}, "phone", "Enter a phone number, e.g. +49 30 1234567."),
        ({"other_email": "not-an-address"}, "other_email", "Enter a valid e-mail address, e.g. name@example.com."),
        ({"customer_number": "K" * 201}, "customer_number", "Please use at most 200 characters."),
    ],
)
async def test_a_wrong_extra_field_is_refused_with_a_message_for_that_field(form_channel, changes, field, message):
    form = {**GOOD_FORM, "fields": good_extra_fields(**changes)}

    response = await post_json(AsyncClient(), "/chat/forms/api/form", form)

    assert response.status_code == 400
    data = response.json()
    assert data["error"]["code"] == "invalid_form"
    assert data["fields"] == {field: message}


@pytest.mark.django_db(transaction=True)
async def test_a_form_without_the_extra_fields_reports_every_required_one(form_channel):
    response = await post_json(AsyncClient(), "/chat/forms/api/form", {"name": "", "email": "erika@nullmx.example"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name", "email", "customer_number", "privacy"}


@pytest.mark.django_db(transaction=True)
async def test_optional_extra_fields_may_stay_empty(form_channel):
    form = {**GOOD_FORM, "fields": {"customer_number": "K-1", "privacy": "on"}}

    response = await post_json(AsyncClient(), "/chat/forms/api/form", form)

    assert response.status_code == 200, response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("body", ["{not json", "[1, 2, 3]", '"just a string"'])
async def test_a_form_that_is_not_a_json_object_is_refused_as_invalid_json(channel, body):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


@pytest.mark.django_db(transaction=True)
async def test_the_form_endpoint_accepts_only_post(channel):
    response = await AsyncClient().get("/chat/shop/api/form")

    assert response.status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_form_errors_come_in_the_channels_language(make_channel, make_agent):
    channel = await sync_to_async(make_channel)(slug="laden", language="de")
    await sync_to_async(make_agent)(channel)

    with translation.override("en"):
        response = await post_json(AsyncClient(), "/chat/laden/api/form", {"name": "", "email": "erika@nullmx.example"})

    assert response.status_code == 400
    data = response.json()
    assert data["error"]["message"] == "Bitte korrigieren Sie die markierten Felder."
    assert data["fields"]["name"] == "Bitte geben Sie Ihren Namen ein."
    assert "nullmx.example" in data["fields"]["email"]


@pytest.mark.django_db(transaction=True)
async def test_the_form_is_limited_per_client_address_before_any_dns_look_up(channel, settings, dns_server):
    settings.HELPDESK_FORM_LIMIT = 2
    settings.HELPDESK_TRUSTED_PROXY_COUNT = 1
    client = AsyncClient()
    here = {"X-Forwarded-For": "198.51.100.1"}

    answers = [await post_json(client, "/chat/shop/api/form", GOOD_FORM, headers=here) for _ in range(2)]
    dns_server.queries.clear()
    refused = await post_json(
        client, "/chat/shop/api/form", {"name": "Erika", "email": "erika@example.org"}, headers=here
    )
    elsewhere = await post_json(client, "/chat/shop/api/form", GOOD_FORM, headers={"X-Forwarded-For": "198.51.100.2"})

    assert [answer.status_code for answer in answers] == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "code": "rate_limited",
        "message": "Too many forms from your address. Please try again later.",
    }
    assert dns_server.queries == [], "the refused form cost no look-up"
    assert elsewhere.status_code == 200


def asked(dns_server):
    return [dns.message.from_wire(wire).question[0].name.to_text() for wire in dns_server.queries]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("email", "status"),
    [("erika@example.com", 200), ("erika@no-such-domain.example", 400), ("erika@nullmx.example", 400)],
)
async def test_repeated_forms_with_one_domain_cost_one_dns_look_up(channel, dns_server, email, status):
    dns_server.queries.clear()
    client = AsyncClient()

    answers = [
        await post_json(client, "/chat/shop/api/form", {"name": f"Customer {n}", "email": email}) for n in range(5)
    ]

    assert [answer.status_code for answer in answers] == [status] * 5
    domain = email.rpartition("@")[2] + "."
    # One MX query for five forms (and for a "does not exist", one of the root, to trust it).
    assert [name for name in asked(dns_server) if name != "."] == [domain]
    assert asked(dns_server).count(".") == (1 if "no-such-domain" in email else 0)


@pytest.mark.django_db(transaction=True)
async def test_a_dns_time_out_is_not_cached_and_the_next_form_asks_again(channel, dns_server):
    client = AsyncClient()
    form = {"name": "Erika", "email": "erika@slow.example"}

    first = await post_json(client, "/chat/shop/api/form", form)
    dns_server.queries.clear()
    second = await post_json(client, "/chat/shop/api/form", form)

    assert (first.json()["email_verified"], second.json()["email_verified"]) == (False, False)
    assert asked(dns_server) and set(asked(dns_server)) == {"slow.example."}


@pytest.mark.django_db(transaction=True)
async def test_a_cached_verdict_is_the_verdict_dns_gave(channel, dns_server):
    client = AsyncClient()
    await post_json(client, "/chat/shop/api/form", {"name": "Erika", "email": "erika@nullmx.example"})
    dns_server.queries.clear()

    again = await post_json(
        client, "/chat/shop/api/start", {"name": "Erika", "email": "erika@nullmx.example", "question": "Hi"}
    )

    assert (
        again.json()["fields"]["email"]
        == "The domain nullmx.example does not accept e-mail. Please use another address."
    )
    assert dns_server.queries == []
