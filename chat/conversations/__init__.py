"""
Conversations: chats, messages, the queue and the agents' presence.
The actions that change state (services, assignment, reopen, presence,
postchat, requests) are the only writers; selectors read; rules decide who
may do what; events and payloads are what leaves, after the commit.
"""
