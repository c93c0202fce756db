"""The record of an erasure: who erased, when and how much, never whose data (docs/privacy.md)."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def address_digest(address):
    """
    A keyed hash (HMAC with the site's secret key) of a normalised address:
    an administrator asked "was my data erased?" can check by the address,
    but the record itself does not hold it, and a plain hash of a known
    address could be looked up by anyone with a list of addresses.
    """
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


class ErasureRecord(models.Model):
    """One erasure by e-mail address: kept as proof that it was done, with counts and without the address."""

    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased"), auto_now_add=True)
    address_hash = models.CharField(_("address (keyed hash)"), max_length=64, db_index=True, editable=False)
    counts = models.JSONField(_("removed"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at"]
        permissions = [
            ("export_personal_data", _("Can export a person's data by e-mail address")),
            ("erase_personal_data", _("Can erase a person's data by e-mail address")),
        ]

    def __str__(self):
        return _("Erasure of %(date)s") % {"date": self.erased_at.strftime("%Y-%m-%d %H:%M")}
