"""
The texts the dashboard's JavaScript shows, translated on the server in the
agent's language and handed to the page as JSON.
"""

from django.utils.translation import gettext as _


def dashboard_strings():
    return {
        "present": _("Present"),
        "away": _("Away"),
        "status": _("Status"),
        "queue": _("Queue"),
        "queue_empty": _("Nobody is waiting."),
        "take": _("Take"),
        # The accessible name of a queue entry's "Take" button.
        "take_customer": _("Take %(name)s"),
        "take_next": _("Take next"),
        "my_chats": _("My chats"),
        "no_chats": _("You have no open chats."),
        "unread": _("unread"),
        "unread_count": _("%(n)s unread"),
        "waiting_for": _("waiting for %(time)s"),
        "end_chat": _("End chat"),
        "chat_menu": _("Chat menu"),
        "confirm_end": _("End this chat?"),
        "send": _("Send"),
        "message": _("Message"),
        "messages": _("Messages"),
        "customer": _("Customer"),
        "email": _("E-mail"),
        "email_unverified": _("e-mail domain not verified"),
        "email_verified": _("e-mail domain verified"),
        "yes": _("Yes"),
        "no": _("No"),
        "typing": _("The customer is typing…"),
        "joined": _("%(agent)s joined the chat."),
        "ended_customer": _("The customer ended the chat."),
        "ended_agent": _("%(agent)s ended the chat."),
        "ended_system": _("The chat ended: the customer was gone too long."),
        "reopened": _("The customer wrote again: the chat was reopened."),
        "returned": _("%(agent)s is no longer available: the chat went back to the queue."),
        "chat_ended": _("This chat has ended."),
        "ended": _("Ended"),
        "dismiss": _("Close"),
        # The accessible name of the button that removes an ended chat from "My chats".
        "dismiss_chat": _("Close chat with %(name)s"),
        "select_chat": _("Choose a chat on the left, or take one from the queue."),
        "new_chat_alert": _("New chat"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "connected": _("Connected"),
        "logged_out": _("You are logged out. Reload the page to log in again."),
        "not_an_agent": _("You are no longer an agent of any channel. Reload the page."),
        "not_sent": _("Not sent yet"),
        "send_failed": _("Not sent: %(reason)s"),
        "seconds": _("%(n)s s"),
        "minutes": _("%(n)s min"),
        "hours": _("%(n)s h"),
        "request_created": _("Request %(request_id)s was created from this chat."),
    }
