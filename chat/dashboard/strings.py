"""
The texts the dashboard's JavaScript shows, translated on the server in the
agent's language and handed to the page as JSON.
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def dashboard_strings():
    strings = {
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
    for part in (
        canned_strings,
        notes_strings,
        transfer_strings,
        customer_strings,
        live_strings,
        shortcut_strings,
        listen_strings,
        files_strings,
    ):
        strings.update(part())
    return strings


def canned_strings():
    """Canned replies."""
    return {
        "canned_loading": _("Loading canned replies…"),
        "canned_one_match": _("1 canned reply. Arrow keys choose, Enter inserts, Escape closes."),
        "canned_matches": _("%(n)s canned replies. Arrow keys choose, Enter inserts, Escape closes."),
        "canned_no_match": _("No canned reply matches."),
        "canned_inserted": _("Canned reply inserted: %(title)s"),
        "canned_personal": _("personal"),
        "canned_scope_personal": _("Only me"),
        # An option of "Available to" in the dialog: a reply shared in a channel.
        "canned_scope_channel": _("Everyone in %(channel)s"),
        "canned_every_language": _("every language"),
        "canned_used_times": _("used %(n)s times"),
        "canned_new": _("New canned reply"),
        "canned_editing": _("Change canned reply /%(shortcut)s"),
        # Accessible names of the buttons next to each reply in the dialog.
        "canned_edit": _("Change /%(shortcut)s"),
        "canned_delete": _("Delete /%(shortcut)s"),
        "canned_confirm_delete": _("Delete the canned reply /%(shortcut)s?"),
        "canned_saved": _("Canned reply /%(shortcut)s saved."),
        "canned_deleted": _("Canned reply deleted."),
        "canned_offline": _("Not connected. Please try again in a moment."),
    }


def notes_strings():
    """Internal notes and FAQ entries in the chat."""
    return {
        "note_label": _("Note (only agents see it)"),
        "internal_note": _("Internal note"),
        "note_failed": _("The note was not saved: %(reason)s"),
        "faq_entry": _("FAQ entry"),
        "faq_no_results": _("No FAQ entry found."),
        "faq_results_count": _("%(n)s FAQ entries found. Use the arrow keys, Enter sends the chosen one."),
        "faq_failed": _("The FAQ entry was not sent: %(reason)s"),
    }


def transfer_strings():
    """Transfers, reassignment and the team's load."""
    return {
        "transfer_offered": _("Offered to %(agent)s. Waiting for an answer…"),
        "transfer_withdraw": _("Withdraw the offer"),
        "transfer_declined": _("%(agent)s declined the chat with %(name)s. It stays with you."),
        "transfer_expired": _("%(agent)s did not answer. The chat with %(name)s stays with you."),
        "transfer_cancelled": _("The offer of the chat with %(name)s was withdrawn."),
        "transfer_accepted": _("%(agent)s now has the chat with %(name)s."),
        "transfer_queued": _("The chat with %(name)s went to the queue of %(channel)s."),
        "transfer_offer": _("%(agent)s offers you the chat with %(name)s (%(channel)s)."),
        "transfer_offer_note": _("Note: %(note)s"),
        "transfer_countdown": _("%(n)s seconds left to answer."),
        "transfer_offer_over": _("The offer of the chat with %(name)s is over."),
        "transfer_note_from": _("Note from %(agent)s: %(note)s"),
        "transfer_given": _("%(agent)s gave you the chat with %(name)s."),
        "transferred": _("%(from)s handed the chat to %(to)s."),
        "transferred_by": _("%(by)s handed the chat from %(from)s to %(to)s."),
        "transferred_channel": _("%(from)s moved the chat to the queue of %(channel)s."),
        "transfer_no_agent": _("Choose a colleague."),
        "transfer_no_channel": _("There is no other channel."),
        "team_member_load": _("%(open)s of %(max)s chats"),
        "team_agent_option": _("%(name)s (%(open)s of %(max)s chats)"),
        "team_chats": _("Open chats of %(channel)s"),
        "team_waiting": _("waiting"),
        "team_with_agent": _("with %(agent)s"),
        "reassign_chat": _("Reassign the chat with %(name)s"),
        "reassign_short": _("Reassign"),
    }


def customer_strings():
    """The customer panel, history and search."""
    return {
        # The customer's clock: "14:05 (Europe/Vienna)".
        "customer_local_time": _("%(time)s (%(zone)s)"),
        # Browser and operating system: "Firefox 121 on Windows 10".
        "customer_software": _("%(browser)s on %(os)s"),
        # The folded panel's summary line: "earlier chats: 2", "requests: 1".
        "customer_digest_chats": _("earlier chats: %(n)s"),
        "customer_digest_requests": _("requests: %(n)s"),
        "customer_rating": _("Rating: %(rating)s of 5"),
    }


def live_strings():
    """Notifications, alerts, live lists."""
    return {
        "notify_on": _("Desktop notifications on"),
        "notify_blocked": _("Notifications blocked"),
        "notify_blocked_hint": _(
            "The browser blocks notifications from this page. Allow them in the browser's settings for this site."
        ),
        "notify_unsupported": _("No desktop notifications in this browser"),
        "notify_new_chat": _("New chat: %(name)s"),
        "notify_message": _("New message from %(name)s"),
        "notify_transfer": _("%(agent)s offers you the chat with %(name)s"),
        # On a queue entry / a chat past the channel's threshold, e.g. "Waiting 4 min".
        "live_waiting": _("Waiting %(time)s"),
        "live_unanswered": _("Unanswered for %(time)s"),
        # Announced once when a threshold is crossed.
        "live_waiting_alert": _("%(name)s has been waiting for %(time)s."),
        "live_unanswered_alert": _("%(name)s has had no answer for %(time)s."),
        # The agent's own last message in "My chats".
        "live_you": _("You: %(text)s"),
        # The age of a chat's last message: "now", "2 min ago".
        "live_now": _("now"),
        "live_ago": _("%(time)s ago"),
        "live_ended_by_customer": _("ended by the customer"),
        "live_ended_by_agent": _("ended by the agent"),
        "live_ended_by_system": _("ended automatically"),
        "live_rating": _("Rating: %(rating)s of 5"),
    }


def shortcut_strings():
    """Keyboard shortcuts and their help overlay (static/dashboard/shortcuts.js)."""
    return {
        "shortcut_next_chat": _("Next chat in “My chats”"),
        "shortcut_previous_chat": _("Previous chat in “My chats”"),
        "shortcut_take_next": _("Take the next customer from the queue"),
        "shortcut_focus_composer": _("Write in the open chat"),
        "shortcut_canned_replies": _("Insert a canned reply"),
        "shortcut_end_chat": _("End the open chat"),
        "shortcut_help": _("Show the keyboard shortcuts"),
        "shortcut_close": _("Close a dialog or menu"),
        # A control's tooltip: "Shortcut: Alt+Shift+N".
        "shortcut_hint": _("Shortcut: %(keys)s"),
        # Announced after a switch by keyboard: "Chat with Erika, 2 of 3".
        "shortcut_chat_position": _("Chat with %(name)s, %(n)s of %(count)s"),
        "shortcut_no_chats": _("You have no chats to switch to."),
        "shortcut_no_open_chat": _("No open chat is selected."),
        # The names of keys as printed on the keyboard.
        "key_alt": pgettext("keyboard key", "Alt"),
        "key_option": pgettext("keyboard key", "Option"),
        "key_shift": pgettext("keyboard key", "Shift"),
        "key_escape": pgettext("keyboard key", "Esc"),
    }


def listen_strings():
    """Listening in (static/dashboard/listen.js): "All active chats" and the listened chat."""
    return {
        "listen_all_chats": _("All active chats"),
        "listen_none": _("No other active chats in your channels."),
        # A chat in "All active chats": "with Anna · Shop".
        "listen_with": _("with %(agent)s · %(channel)s"),
        # The accessible name of its button: "Listen in on the chat of Erika with Anna".
        "listen_in_on": _("Listen in on the chat of %(name)s with %(agent)s"),
        "listen_button": _("Listen in"),
        "listen_last_customer": _("Customer: %(text)s"),
        "listen_last_agent": _("Agent: %(text)s"),
        "listen_banner": _("Listening in, the customer does not see you."),
        "listen_banner_joined": _("You joined the chat: the customer sees your messages."),
        "listen_chat_of": _("%(name)s with %(agent)s"),
        "listen_messages": _("Messages of the chat you listen in on"),
        "listen_whisper": _("Whisper"),
        "listen_join": _("Join"),
        "listen_leave": _("Leave"),
        "listen_take_over": _("Take over"),
        "listen_stop": _("Stop listening"),
        "listen_whisper_label": _("Whisper to %(agent)s (only agents see it)"),
        "listen_whisper_send": _("Send whisper"),
        "listen_cancel": _("Cancel"),
        "listen_message_label": _("Message to the customer"),
        "listen_agent_typing": _("%(name)s is typing…"),
        "listen_confirm_take_over": _("Take over the chat with %(name)s?"),
        "listen_confirm_take_over_detail": _(
            "The chat becomes yours. %(agent)s is told, and the customer sees that you took over."
        ),
        "listen_stopped": _("You stopped listening in."),
        "listen_stopped_ended": _("The chat you listened in on has ended."),
        "listen_stopped_moved": _("The chat you listened in on is waiting in a queue again."),
        "listen_stopped_not_allowed": _("You may no longer listen in on this chat."),
        "listen_stopped_taken_over": _("The chat is yours now: it is in “My chats”."),
        # In the agents' log when a manager took the chat over: "Ben took the chat over from Anna."
        "taken_over_by": _("%(to)s took the chat over from %(from)s."),
        "participant_joined": _("%(agent)s joined the chat."),
        "participant_left": _("%(agent)s left the chat."),
        # A manager's whisper in the agent's chat: its mark, and the alert when the chat is not in front.
        "whisper_badge": _("Whisper from a manager"),
        "whisper_alert": _("%(agent)s whispered in the chat with %(name)s: %(text)s"),
    }


def statistics_strings():
    """The statistics page's script (static/dashboard/statistics.js): its live numbers."""
    return {
        # Announced when the queue or the team changes, not on every refresh.
        "live_announcement": _("Waiting now: %(waiting)s. Agents present: %(agents)s. Active chats: %(active)s."),
        "live_failed": _("The live numbers could not be updated."),
    }


def files_strings():
    """Files in the chat (static/dashboard/files.js)."""
    return {
        "files_uploading": _("Sending %(name)s"),
        "files_cancel": _("Cancel"),
        "files_cancel_of": _("Cancel sending %(name)s"),
        "files_retry": _("Try again"),
        "files_retry_of": _("Try again to send %(name)s"),
        "files_remove": _("Remove"),
        "files_remove_of": _("Remove %(name)s"),
        "files_failed": _("The file could not be sent. Please check your connection and try again."),
        "files_too_large": _("%(name)s is too large. Files may be at most %(size)s."),
        "files_download": _("Download"),
        "files_download_of": _("Download %(name)s"),
        "files_open_image": _("Open the image %(name)s"),
        "files_kind_image": _("Image"),
        "files_kind_pdf": _("PDF document"),
        "files_kind_office": _("Office document"),
        "files_kind_text": _("Text file"),
        "files_kind_file": _("File"),
        # A file in the chat list and in a notification: its kind, then its name.
        "files_summary": _("%(kind)s: %(name)s"),
    }
