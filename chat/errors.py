"""
Errors a customer or an agent can cause, each with a stable code and a
translated message. Consumers turn them into error frames, views into JSON 4xx
answers (docs/protocol.md lists the codes).
"""
from django.utils.translation import gettext_lazy as _


class ChatError(Exception):
    code = "error"
    message = _("Something went wrong.")
    http_status = 400

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.code))


class InvalidJSON(ChatError):
    code = "invalid_json"
    message = _("The frame is not valid JSON.")


class InvalidFrame(ChatError):
    code = "invalid_frame"
    message = _("The frame is missing a field, or one of its fields is invalid.")


class UnknownFrameType(ChatError):
    code = "unknown_type"
    message = _("This kind of frame is not known.")


class FrameTooLarge(ChatError):
    code = "too_large"
    message = _("The frame is too large.")
    http_status = 413


class TooDeep(ChatError):
    code = "too_deep"
    message = _("The frame is nested too deeply.")


class InvalidText(ChatError):
    """Text with a NUL or an unpaired UTF-16 surrogate, which cannot be stored (chat.safejson)."""

    code = "invalid_text"
    message = _("The text contains characters that cannot be stored (a null character or half of an emoji).")

    def __init__(self, message=None, *, decoded=None):
        self.decoded = decoded
        super().__init__(message)


class MessageTooLong(ChatError):
    code = "too_long"
    message = _("The message is too long.")


class EmptyMessage(ChatError):
    code = "empty"
    message = _("The message is empty.")


class RateLimited(ChatError):
    code = "rate_limited"
    message = _("You are sending too fast. Please wait a moment.")
    http_status = 429


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


class CrossSite(ChatError):
    """A widget endpoint called from a page that is not the widget's own (chat.views.jsonapi)."""

    code = "cross_site"
    message = _("This request did not come from the chat window.")
    http_status = 403


class UnsupportedMediaType(ChatError):
    code = "unsupported_media_type"
    message = _("Send the request as JSON (Content-Type: application/json).")
    http_status = 415


class MethodNotAllowed(ChatError):
    code = "method_not_allowed"
    message = _("This address does not answer this kind of request.")
    http_status = 405

    def __init__(self, allowed=()):
        self.allowed = tuple(allowed)
        super().__init__()
