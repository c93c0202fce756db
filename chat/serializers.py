"""The JSON shapes of messages and chats as they travel in frames (docs/protocol.md)."""
from chat.presence import display_name


def message_payload(message):
    if message.author == "agent":
        author_name = display_name(message.agent)
    elif message.author == "customer":
        author_name = message.chat.customer_name
    else:
        author_name = ""
    return {
        "seq": message.seq,
        "kind": message.kind,
        "author": message.author,
        "author_name": author_name,
        "body": message.body,
        "event": message.event,
        "params": message.params,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def chat_state_payload(chat):
    return {
        "chat_id": chat.pk,
        "status": chat.status,
        "agent_name": display_name(chat.agent),
        "ended_by": chat.ended_by,
        "end_reason": chat.end_reason,
        "last_seq": chat.last_seq,
    }
