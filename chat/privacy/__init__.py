"""
Privacy (docs/privacy.md): removing a chat's personal data after the
channel's retention period (retention), and exporting or erasing everything
stored about one e-mail address (export, erasure), in the admin and from a
management command. removal holds the one way personal data is taken out of
chats, requests and the outbox, which both retention and erasure use.
"""
