"""
A channel's configuration: the channel, its members and forms, opening hours
and availability, the e-mail check of the pre-chat form. Read by the
conversations and the two faces; changed only in the admin.
"""
