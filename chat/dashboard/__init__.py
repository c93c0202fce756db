"""The agent's face: the dashboard's page, its socket and its strings."""
