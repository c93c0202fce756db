"""
The major versions of Daphne, Autobahn and Twisted whose internals the
project's server-side shortcuts were read against: helpdesk.server's lean
connections and infra.realtime.autobahn_tuning's per-frame patches. Each of
them checks here and, with another major version installed, leaves the
library as it is and logs a warning; tests/infra/test_server.py and
tests/infra/test_autobahn_tuning.py fail until someone has read the new
version and updated this table.
"""

import importlib.metadata

TESTED_MAJOR_VERSIONS = {"daphne": 4, "autobahn": 26, "twisted": 26}


def untested_versions(packages=None):
    """``package found`` for each of ``packages`` (all of TESTED_MAJOR_VERSIONS by default) whose major version was not checked."""
    untested = []
    for package in TESTED_MAJOR_VERSIONS if packages is None else packages:
        found = importlib.metadata.version(package)
        if int(found.split(".")[0]) != TESTED_MAJOR_VERSIONS[package]:
            untested.append(f"{package} {found}")
    return untested
