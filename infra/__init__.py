"""
Cross-cutting infrastructure at the bottom of the house: the realtime
plumbing (channel layer, database threads, live events), JSON and throttling
helpers for whatever comes from outside, and the e-mail outbox. It imports
nothing of the apps above it (chat, faq, requests_app, helpdesk).
"""
