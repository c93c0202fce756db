"""
The chat app's models, defined in its subpackages (Django looks for them
here). Migrations name the validators by this module's path
(chat.models.validate_time_zone, validate_origin_list): the star import keeps
them importable from it.
"""

from chat.configuration.canned_replies import *  # noqa: F403
from chat.configuration.models import *  # noqa: F403
from chat.configuration.refused_origins import *  # noqa: F403
from chat.conversations.models import *  # noqa: F403
from chat.privacy.models import *  # noqa: F403
