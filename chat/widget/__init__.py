"""The customer's face: the widget's page and JSON endpoints, its socket and its strings."""
