"""
The settings of the test run (pytest's DJANGO_SETTINGS_MODULE, and so of the
Daphne processes the tests start, which inherit its environment): the
production settings, helpdesk.settings, with a fast password hasher and the
chat files in a temporary directory. Django's
default, PBKDF2, is slow by design; the tests create and log in agents by the
hundred, and that slowness tests nothing of the project's.
"""

import os
import tempfile

# Chat files of the test run in a directory of its own, shared with the
# Daphne processes the tests start (they inherit the environment).
os.environ.setdefault("HELPDESK_FILES_ROOT", tempfile.mkdtemp(prefix="helpdesk-files-"))

from helpdesk.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
