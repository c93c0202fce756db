"""The live-event plumbing: the Redis channel layer, the sockets' database threads, sending events after commit."""
