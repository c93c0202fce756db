"""Moving chats (chat.conversations.transfers) against a real database: who may, what moves, what everyone is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, housekeeping, presence, services, transfers
from chat.conversations.errors import NotYourChat
from chat.conversations.models import Chat, ChatNote, ChatStatus, ChatTransfer, Message, Party, PresenceStatus
from chat.conversations.transfer_errors import (
    AgentUnavailable,
    NotAManager,
    NoteTooLong,
    TargetAtLimit,
    TransferGone,
    TransferPending,
    UnknownChannel,
)
from tests.support.http import post_json

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(make_channel):
    return make_channel(slug="shop", name="Shop", transfer_timeout_seconds=60)


@pytest.fixture
def anna_and_ben(shop, make_agent):
    return make_agent(shop, first_name="Anna"), make_agent(shop, first_name="Ben")


@pytest.fixture
def active_chat(shop, anna_and_ben, make_chat):
    """Anna talks with Erika, who filled in the form and wrote once; Anna wrote a note."""
    anna, _ben = anna_and_ben
    chat, token = make_chat(shop, form_data=[{"key": "order", "label": "Order", "value": "A-17"}])
    assignment.accept_chat(chat, agent=anna)
    services.post_message(chat, author=Party.AGENT, agent=anna, body="Let me ask a colleague.")
    ChatNote.objects.create(chat=chat, agent=anna, body="Customer since 2019")
    return Chat.objects.select_related("channel").get(pk=chat.pk), token


def events_of(chat, name):
    return list(Message.objects.filter(chat=chat, event=name).values_list("params", flat=True))


def test_an_offer_keeps_the_chat_with_the_sender_until_the_receiver_accepts(active_chat, anna_and_ben, sent_events):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    now = timezone.now()
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk, "  Wants a refund  ", now=now)
    assert (transfer.status, transfer.note) == ("pending", "Wants a refund")
    assert transfer.expires_at == now + timedelta(seconds=60)
    assert Chat.objects.get(pk=chat.pk).agent == anna
    # The sender can go on writing while it is offered.
    services.post_message(chat, author=Party.AGENT, agent=anna, body="One moment please.")
    assert (f"agent.{ben.pk}", {"type": "agent.transfer", "transfer_id": transfer.pk}) in sent_events

    transfers.answer(ben, transfer.pk, True)
    chat.refresh_from_db()
    assert chat.agent == ben and chat.status == ChatStatus.ACTIVE
    assert events_of(chat, "transferred") == [{"from": "Anna", "to": "Ben"}]
    groups = [group for group, _event in sent_events]
    assert f"agent.{ben.pk}" in groups and f"chat.{chat.pk}" in groups
    assert (f"agent.{ben.pk}", {"type": "agent.assigned", "chat_id": chat.pk}) in sent_events
    # The log, the notes (now with the note to the receiver) and the form data went along.
    assert Message.objects.filter(chat=chat, body="One moment please.").count() == 1
    assert list(ChatNote.objects.filter(chat=chat).values_list("body", flat=True)) == [
        "Customer since 2019",
        "Wants a refund",
    ]
    assert chat.form_data == [{"key": "order", "label": "Order", "value": "A-17"}]
    # Ben may write now; Anna may not.
    services.post_message(chat, author=Party.AGENT, agent=ben, body="Hello, I am Ben.")
    with pytest.raises(NotYourChat):
        services.post_message(chat, author=Party.AGENT, agent=anna, body="Still me?")
    seen = transfers.transfer_for(anna, transfer.pk)
    assert seen["released"] and seen["transfer"]["status"] == "accepted"


def test_the_sender_hears_of_an_acceptance_only_after_the_transferred_event_was_announced(
    active_chat, anna_and_ben, sent_events
):
    # A dashboard that hears of the acceptance leaves the chat's group; with
    # Redis publish/subscribe, an event announced after that never reaches it.
    chat, _token = active_chat
    anna, ben = anna_and_ben
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk)
    sent_events.clear()
    transfers.answer(ben, transfer.pk, True)
    order = [
        "transferred" if event["type"] == "chat.message" else "told"
        for group, event in sent_events
        if (group, event["type"]) in ((f"chat.{chat.pk}", "chat.message"), (f"agent.{anna.pk}", "agent.transfer"))
    ]
    assert order == ["transferred", "told"]


def test_a_decline_leaves_the_chat_with_the_sender_who_is_told(active_chat, anna_and_ben):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk)
    transfers.answer(ben, transfer.pk, False)
    assert Chat.objects.get(pk=chat.pk).agent == anna
    seen = transfers.transfer_for(anna, transfer.pk)
    assert seen["transfer"]["status"] == "declined" and not seen["released"]
    assert seen["transfer"]["to_name"] == "Ben"
    with pytest.raises(TransferGone):
        transfers.answer(ben, transfer.pk, True)
    # Declined, the chat may be offered again.
    assert transfers.offer_to_agent(anna, chat.pk, ben.pk).status == "pending"


def test_no_answer_by_the_deadline_expires_the_offer_in_housekeeping(active_chat, anna_and_ben):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    offered_at = timezone.now() - timedelta(seconds=61)
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk, now=offered_at)
    assert transfers.expire_due(now=offered_at + timedelta(seconds=59)) == 0
    housekeeping.run_upkeep_once()
    transfer.refresh_from_db()
    assert transfer.status == "expired" and transfer.decided_at is not None
    assert Chat.objects.get(pk=chat.pk).agent == anna
    with pytest.raises(TransferGone):
        transfers.answer(ben, transfer.pk, True)


def test_an_answer_after_the_deadline_expires_the_offer_instead_of_taking_the_chat(active_chat, anna_and_ben):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    offered_at = timezone.now()
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk, now=offered_at)
    transfers.answer(ben, transfer.pk, True, now=offered_at + timedelta(seconds=60))
    transfer.refresh_from_db()
    assert transfer.status == "expired"
    assert Chat.objects.get(pk=chat.pk).agent == anna


def test_the_sender_may_cancel_and_the_receiver_then_finds_it_gone(active_chat, anna_and_ben):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk)
    with pytest.raises(TransferGone):
        transfers.cancel(ben, transfer.pk)  # only the sender cancels
    transfers.cancel(anna, transfer.pk)
    assert ChatTransfer.objects.get(pk=transfer.pk).status == "cancelled"
    with pytest.raises(TransferGone):
        transfers.answer(ben, transfer.pk, True)
    assert Chat.objects.get(pk=chat.pk).agent == anna


def test_an_offer_is_void_when_the_chat_ended_meanwhile(active_chat, anna_and_ben):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk)
    services.end_chat(chat, by=Party.CUSTOMER)
    transfers.answer(ben, transfer.pk, True)
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ENDED and chat.agent == anna
    assert ChatTransfer.objects.get(pk=transfer.pk).status == "cancelled"


def test_who_may_offer_and_to_whom(shop, active_chat, anna_and_ben, make_agent, make_channel):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    colleague = make_agent(shop, first_name="Carla")
    stranger = make_agent(make_channel(), first_name="Dora")
    away = make_agent(shop, first_name="Emil", present=False)
    with pytest.raises(NotYourChat):
        transfers.offer_to_agent(colleague, chat.pk, ben.pk)  # not the chat's agent, not a manager
    with pytest.raises(NotYourChat):
        transfers.offer_to_agent(stranger, chat.pk, ben.pk)  # another channel's agent
    with pytest.raises(AgentUnavailable):
        transfers.offer_to_agent(anna, chat.pk, stranger.pk)  # a target of another channel
    with pytest.raises(AgentUnavailable):
        transfers.offer_to_agent(anna, chat.pk, away.pk)
    with pytest.raises(AgentUnavailable):
        transfers.offer_to_agent(anna, chat.pk, anna.pk)
    with pytest.raises(NoteTooLong):
        transfers.offer_to_agent(anna, chat.pk, ben.pk, "x" * 1001)
    with pytest.raises(NoteTooLong):
        transfers.offer_to_agent(anna, chat.pk, ben.pk, ["not", "text"])
    shop.max_chats_per_agent = 1
    shop.save()
    other, _ = services.start_chat(
        shop, name="Fritz", email="f@example.com", email_verified=True, form_data=[], question="?"
    )
    assignment.accept_chat(other, agent=ben)
    with pytest.raises(TargetAtLimit):
        transfers.offer_to_agent(anna, chat.pk, ben.pk)
    shop.max_chats_per_agent = 5
    shop.save()
    transfers.offer_to_agent(anna, chat.pk, ben.pk)
    with pytest.raises(TransferPending):
        transfers.offer_to_agent(anna, chat.pk, colleague.pk)
    assert ChatTransfer.objects.filter(chat=chat).count() == 1


def test_a_receiver_at_the_limit_by_the_time_they_accept_is_refused_and_the_offer_stays(
    shop, active_chat, anna_and_ben, make_chat
):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk)
    shop.max_chats_per_agent = 1
    shop.save()
    other, _ = make_chat(shop, name="Fritz")
    assignment.accept_chat(other, agent=ben)
    with pytest.raises(TargetAtLimit):
        transfers.answer(ben, transfer.pk, True)
    assert ChatTransfer.objects.get(pk=transfer.pk).status == "pending"
    assert Chat.objects.get(pk=chat.pk).agent == anna


def test_moving_to_another_channel_queues_the_chat_there_and_hides_it_from_the_sender(
    active_chat, anna_and_ben, make_channel, make_agent, sent_events
):
    chat, _token = active_chat
    anna, _ben = anna_and_ben
    billing = make_channel(slug="billing", name="Billing")
    make_agent(billing, first_name="Greta", present=False)
    with pytest.raises(UnknownChannel):
        transfers.move_to_channel(anna, chat.pk, 999_999)
    transfer = transfers.move_to_channel(anna, chat.pk, billing.pk, "Invoice question")
    chat.refresh_from_db()
    assert (chat.channel, chat.status, chat.agent) == (billing, ChatStatus.QUEUED, None)
    assert transfer.status == "queued" and transfer.from_channel.slug == "shop"
    assert events_of(chat, "transferred") == [{"from": "Anna", "to_channel": "Billing"}]
    assert ChatNote.objects.filter(chat=chat, body="Invoice question").exists()
    assert (f"queue.{billing.pk}", True) in [(group, event["type"] == "queue.changed") for group, event in sent_events]
    # Anna is no agent of Billing: the chat is gone for her.
    with pytest.raises(NotYourChat):
        transfers.offer_to_agent(anna, chat.pk, _ben.pk)
    assert transfers.transfer_for(anna, transfer.pk)["released"]
    # The widget of the first channel still speaks for the chat.
    assert transfers.opened_under(chat, transfer.from_channel) and transfers.opened_under(chat, billing)
    assert not transfers.opened_under(chat, make_channel())


def test_a_manager_reassigns_at_once_and_a_member_may_not(shop, active_chat, anna_and_ben, make_agent, make_chat):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    boss = make_agent(shop, first_name="Hanna", manager=True)
    with pytest.raises(NotAManager):
        transfers.reassign(ben, chat.pk, ben.pk)
    pending = transfers.offer_to_agent(anna, chat.pk, boss.pk)
    transfer = transfers.reassign(boss, chat.pk, ben.pk)
    assert (transfer.status, transfer.requested_by, transfer.from_agent) == ("accepted", boss, anna)
    assert ChatTransfer.objects.get(pk=pending.pk).status == "cancelled"
    chat.refresh_from_db()
    assert chat.agent == ben
    assert events_of(chat, "transferred") == [{"from": "Anna", "to": "Ben", "by": "Hanna"}]
    # A waiting chat too.
    queued, _ = make_chat(shop, name="Ida")
    transfers.reassign(boss, queued.pk, anna.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.agent) == (ChatStatus.ACTIVE, anna)
    # No longer a manager: no reassigning.
    ChannelMembership.objects.filter(user=boss).update(is_manager=False)
    with pytest.raises(NotAManager):
        transfers.reassign(boss, chat.pk, anna.pk)


def test_the_team_shows_presence_and_load_and_managers_see_the_chats(shop, active_chat, anna_and_ben, make_agent):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    boss = make_agent(shop, first_name="Hanna", manager=True)
    presence.set_presence(ben, status=PresenceStatus.AWAY)
    team = transfers.team(anna, [shop.pk])
    (channel,) = team["channels"]
    members = {m["name"]: (m["available"], m["open_chats"]) for m in channel["members"]}
    assert members == {"Anna": (True, 1), "Ben": (False, 0), "Hanna": (True, 0)}
    assert channel["manager"] is False and "chats" not in channel
    managed = transfers.team(boss, [shop.pk])["channels"][0]
    assert managed["manager"] and managed["chats"] == [
        {"id": chat.pk, "customer_name": "Erika", "status": "active", "agent_id": anna.pk}
    ]


def test_the_widgets_endpoints_of_the_first_channel_still_answer_for_a_moved_chat(
    active_chat, anna_and_ben, make_channel, make_agent, client
):
    chat, token = active_chat
    anna, _ben = anna_and_ben
    billing = make_channel(slug="billing", name="Billing", postchat_enabled=True)
    greta = make_agent(billing, first_name="Greta")
    other = make_channel(slug="other")
    transfers.move_to_channel(anna, chat.pk, billing.pk)
    assignment.take_chat(greta, chat.pk)
    services.end_chat(chat, by=Party.AGENT, agent=greta)
    url = "/chat/{}/api/postchat"
    body = {"rating": 5, "comment": "Thanks, Greta"}
    assert post_json(client, url.format(other.slug), body, headers={"X-Chat-Token": token}).status_code == 404
    answer = post_json(client, url.format("shop"), body, headers={"X-Chat-Token": token})
    assert answer.status_code == 200
    chat.refresh_from_db()
    assert (chat.rating, chat.rating_comment) == (5, "Thanks, Greta")
    state = client.get("/chat/shop/api/state", headers={"X-Chat-Token": token})
    assert state.status_code == 200 and state.json()["state"]["agent_name"] == "Greta"


def test_the_chats_admin_page_shows_its_transfers_and_where_it_started(active_chat, anna_and_ben, admin_client):
    chat, _token = active_chat
    anna, ben = anna_and_ben
    Chat.objects.filter(pk=chat.pk).update(page_url="https://shop.example.com/cart", page_title="Your cart")
    transfer = transfers.offer_to_agent(anna, chat.pk, ben.pk, "Wants a refund")
    transfers.answer(ben, transfer.pk, False)

    page = admin_client.get(f"/admin/chat/chat/{chat.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Wants a refund" in text and "Declined" in text
    assert "https://shop.example.com/cart" in text and "Your cart" in text
