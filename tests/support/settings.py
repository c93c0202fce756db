"""
The settings of the test run (pytest's DJANGO_SETTINGS_MODULE, and so of the
Daphne processes the tests start, which inherit its environment): the
production settings, helpdesk.settings, with a fast password hasher. Django's
default, PBKDF2, is slow by design; the tests create and log in agents by the
hundred, and that slowness tests nothing of the project's.
"""

from helpdesk.settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
