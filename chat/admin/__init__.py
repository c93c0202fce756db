"""
The administrator's face of the chat app: channels (configuration, members,
forms, opening hours, FAQ figures) and chats (the log, presence). Changes to
a chat go through chat.conversations, as from the other faces.
"""

from chat.admin import canned_replies, channels, chats  # noqa: F401  (registers the model admins)
from chat.privacy import admin as privacy_admin  # noqa: F401  (the privacy page and the erasures)
