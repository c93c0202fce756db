"""
Login throttling with django-axes (settings: AXES_*): its database handler,
with a narrower reset after a successful login, and the lock-out page.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.shortcuts import render


class LoginAttemptHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request, credentials=None):
        """
        After a successful login, forget the failures of this account from
        this address only. Axes would forget every failure of the address and
        of the account: anyone with an account of their own could then, by
        logging in between guesses, wipe what their address had tried against
        other accounts.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def lockout_response(request, *args):
    """
    The lock-out page (HTTP 429) in the login's look. Axes passes the original
    response and the credentials in an order that differs between its sync and
    async middleware; neither is needed here.
    """
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
