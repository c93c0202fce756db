"""
Internal notes: what an agent writes into a chat for agents only. A note is a
ChatNote row, never a Message, so the paths that reach the customer (the log,
the customer's socket and state, the transcript, the request made from the
chat) cannot carry it: they read Message only. Notes travel on the chat's
agents-only group (events.chat_agents_group), after the commit.
"""

from django.db import transaction

from chat.conversations import events, log
from chat.conversations.errors import NotYourChat, TooManyNotes
from chat.conversations.models import Chat, ChatNote

# A note is as long as a message may be.
MAX_NOTE_LENGTH = log.MAX_MESSAGE_LENGTH
# Notes are a handful per chat. The bound keeps a script from filling the
# table, and the dashboard's hello (which sends every note of an open chat) small.
MAX_NOTES_PER_CHAT = 200


def write_note(agent, chat, *, body, client_id):
    """
    Store the chat's agent's note (the chat may be open or ended: a note for
    the follow-up is useful after the end) and announce it to the agents'
    sockets after the commit. A ``client_id`` stored before returns the
    earlier note, announced again, with created=False: the client resends
    until it gets its ack. Anyone but the chat's agent gets NotYourChat.
    """
    body = log.clean_body(body)
    with transaction.atomic():
        # The chat's row is locked so that two copies of one note (a resend on
        # a second connection) are looked up and stored one after the other.
        locked = Chat.objects.select_for_update().filter(pk=chat.pk).first()
        if locked is None or locked.agent_id is None or locked.agent_id != agent.pk:
            raise NotYourChat()
        earlier = ChatNote.objects.filter(chat=locked, client_id=client_id).select_related("agent").first()
        if earlier is not None:
            events.notify_note(earlier, locked)
            return earlier, False
        if ChatNote.objects.filter(chat=locked).count() >= MAX_NOTES_PER_CHAT:
            raise TooManyNotes()
        note = ChatNote.objects.create(chat=locked, agent=agent, client_id=client_id, body=body)
        events.notify_note(note, locked)
    return note, True


def chat_notes(chat_id):
    """The chat's notes, oldest first, with their authors."""
    return list(ChatNote.objects.filter(chat_id=chat_id).select_related("agent").order_by("created_at", "id"))
