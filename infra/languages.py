"""The languages the product ships, for every model that has one (channels, FAQ entries, reply templates)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
