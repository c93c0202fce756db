"""Who may see a channel's statistics: its managers (ChannelMembership.is_manager), and nobody else."""

from chat.configuration.models import Channel


def managed_channels(user):
    """The channels ``user`` manages, by name."""
    if not user.is_authenticated or not user.is_active:
        return Channel.objects.none()
    return Channel.objects.filter(memberships__user=user, memberships__is_manager=True).order_by("name", "pk")


def access_managed_channel(user, channel_id):
    """The channel if ``user`` manages it, else None: another channel looks like no channel at all."""
    return managed_channels(user).filter(pk=channel_id).first()
