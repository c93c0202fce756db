"""
The chat app's models, defined in its subpackages (Django looks for them
here). Migrations name the validators by this module's path, so they stay
importable from it.
"""

from chat.configuration.models import *  # noqa: F403
from chat.configuration.models import validate_origin_list, validate_time_zone  # noqa: F401  (migrations)
from chat.conversations.models import *  # noqa: F403
