"""The production settings with STATIC_ROOT in a directory of the bench's own (bench/widget_weight.py), so that
collectstatic's compressed files are served without touching the project's staticfiles/."""

import os

from helpdesk.settings import *  # noqa: F401,F403

STATIC_ROOT = os.environ["HELPDESK_BENCH_STATIC_ROOT"]
# The finders' (uncompressed) files would take precedence over the collected
# ones in WhiteNoise; a production set-up after collectstatic serves these.
WHITENOISE_USE_FINDERS = False
