"""
The production settings with persistent database connections, for comparing
in the benchmark (bench/load.py --settings bench.settings_tuned): with
CONN_MAX_AGE=0 every database_sync_to_async call opens and closes a
PostgreSQL connection.
"""
from helpdesk.settings import *  # noqa: F401,F403
from helpdesk.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 300
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
