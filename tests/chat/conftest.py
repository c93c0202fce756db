"""Fixtures of the widget's endpoint tests: an open channel, and one with an extra field of each kind."""

import pytest

from chat.configuration.models import FieldType, PreChatField


@pytest.fixture
def channel(make_channel, make_agent):
    """An open channel: an agent is present."""
    channel = make_channel(slug="shop", allowed_origins="https://shop.example https://www.shop.example")
    make_agent(channel)
    return channel


@pytest.fixture
def form_channel(make_channel, make_agent):
    """An open channel with one extra field of each kind that can be wrong."""
    channel = make_channel(slug="forms", allowed_origins="https://shop.example")
    make_agent(channel)
    PreChatField.objects.create(channel=channel, key="customer_number", label="Customer number", required=True, order=1)
    PreChatField.objects.create(
        channel=channel,
        key="privacy",
        label="I accept the privacy policy",
        field_type=FieldType.CHECKBOX,
        required=True,
        order=2,
    )
    PreChatField.objects.create(
        channel=channel,
        key="topic",
        label="Topic",
        field_type=FieldType.CHOICE,
        choices="Orders\nReturns\n",
        order=3,
    )
    PreChatField.objects.create(channel=channel, key="phone", label="Phone", field_type=FieldType.PHONE, order=4)
    PreChatField.objects.create(
        channel=channel, key="other_email", label="Other e-mail", field_type=FieldType.EMAIL, order=5
    )
    return channel
