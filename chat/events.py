"""
The groups of the chat's live events: one per chat, per channel's queue and
per agent (Channels restricts group names; they are made only here).
"""


def chat_group(chat_id):
    return f"chat.{chat_id}"


def queue_group(channel_id):
    return f"queue.{channel_id}"


def agent_group(user_id):
    return f"agent.{user_id}"
