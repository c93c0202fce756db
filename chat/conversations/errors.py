"""
Errors of the chat domain: a customer's or an agent's action the chat refuses.
Each has a stable code and a translated message (infra.errors.ClientError);
docs/protocol.md lists the codes.
"""

from django.utils.translation import gettext_lazy as _

from infra.errors import ClientError


class ChatError(ClientError):
    """An action on a chat that the chat's rules refuse."""


class MessageTooLong(ChatError):
    code = "too_long"
    message = _("The message is too long.")


class EmptyMessage(ChatError):
    code = "empty"
    message = _("The message is empty.")


class NotYourChat(ChatError):
    code = "not_your_chat"
    message = _("This chat is not yours.")
    http_status = 404


class ChatEnded(ChatError):
    code = "chat_ended"
    message = _("This chat has ended.")
    http_status = 409


class ChatAlreadyTaken(ChatError):
    code = "chat_taken"
    message = _("Another agent has already taken this chat.")
    http_status = 409


class AtChatLimit(ChatError):
    code = "at_limit"
    message = _("You already have as many chats as this channel allows.")
    http_status = 409


class QueueEmpty(ChatError):
    code = "queue_empty"
    message = _("Nobody is waiting.")
    http_status = 404


class NotStored(ChatError):
    code = "not_stored"
    message = _("The message could not be stored. Please send it again.")
    http_status = 503


class NotHello(ChatError):
    code = "hello_first"
    message = _("Send the hello frame first.")


class TooManyNotes(ChatError):
    code = "too_many_notes"
    message = _("This chat has as many internal notes as it may have.")
    http_status = 409


class UnknownFaqEntry(ChatError):
    code = "unknown_entry"
    message = _("This FAQ entry does not exist in the chat's channel.")
    http_status = 404
