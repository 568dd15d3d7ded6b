"""The public side's own rows: the way back to a portal request, and application statuses."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.lib.names import NamedInLanguages
from ventanilla.privacy.fields import EncryptedTextField


class PortalAccess(models.Model):
    """The private access code of a request made through the portal form.

    Only a keyed hash of the code is kept; with the reference number, the code lets the
    person read the answer and write again. A reference number alone reveals nothing.
    """

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="portal_access"
    )
    code_hash = models.CharField(max_length=64)
    contact_details = EncryptedTextField(
        blank=True, default="", help_text="How the person asked to be contacted, if at all."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "portal accesses"

    def __str__(self) -> str:
        return f"access to {self.conversation}"


class ApplicationStatus(models.TextChoices):
    """Where an application stands, as the desk's case-management system reports it.

    ::

        received ─> in-review ─> approved ─> sent-to-post ─> ready-for-collection ─> collected
                     │ ▲  │        └────────────────────────────┘
                     ▼ │  └─> rejected   (when it is made at the post)
                documents-needed

    ventanilla does not move applications along: each import mirrors what the case-management
    system says, so any status can follow any other (a correction, a reopened case).
    """

    RECEIVED = "received", _("received")
    IN_REVIEW = "in-review", _("being reviewed")
    DOCUMENTS_NEEDED = "documents-needed", _("documents needed")
    APPROVED = "approved", _("approved")
    SENT_TO_POST = "sent-to-post", _("on its way to the office")
    READY_FOR_COLLECTION = "ready-for-collection", _("ready for collection")
    COLLECTED = "collected", _("collected")
    REJECTED = "rejected", _("refused")


class Application(models.Model):
    """An application a person made at the desk (a passport, a certificate), as loaded from
    the desk's case-management system, so that the person can ask where it stands.

    The person proves it is theirs with a second factor, the applicant's date of birth, of
    which only a keyed hash is kept (bound to the reference, so two applicants born the same
    day do not share a hash). The reference is also kept as a keyed hash, which is what the
    look-up log and a conversation waiting for the date of birth hold instead of the reference.
    """

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="applications")
    reference = EncryptedTextField(
        help_text="As the case-management system writes it, in capitals (kept encrypted)."
    )
    reference_hash = models.CharField(max_length=64, editable=False)
    service = models.CharField(max_length=120, help_text="What was applied for: Passport...")
    status = models.CharField(max_length=32, choices=ApplicationStatus.choices)
    status_updated_on = models.DateField(help_text="When the status last changed.")
    post = models.CharField(max_length=120, help_text="The consulate or office handling it.")
    second_factor_hash = models.CharField(max_length=64, editable=False)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "reference_hash"], name="application_reference_hash_unique_per_desk"
            )
        ]

    def __str__(self) -> str:
        return f"application {self.reference}"


class ApplicationService(NamedInLanguages):
    """What people apply for at a desk (Passport, Consular card), named in each language.

    The case-management system writes the service as free text on every row it exports,
    in one language; the names in other languages are kept here, once per service and desk,
    rather than on each application: an import of many rows repeats a handful of services,
    a new import must not wipe the names staff wrote, and one correction reaches every
    application. `name` is the text the rows carry; each import adds the services it has not
    seen, for staff to name in the other languages (the admin).
    """

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="application_services")
    name = models.CharField(
        _("name"), max_length=120, help_text=_("As the imported rows write it.")
    )

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "name"], name="application_service_unique_per_desk"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LookupOutcome(models.TextChoices):
    """What a status look-up came to; an unknown reference and a wrong date of birth are
    one outcome, as they are one answer."""

    FOUND = "found", _("found")
    NOT_FOUND = "not-found", _("not found, or wrong date of birth")
    REFUSED = "refused-rate-limit", _("refused: too many attempts")
    ASKED = "asked-second-factor", _("asked for the date of birth")


class StatusLookup(models.Model):
    """One time somebody asked for the status of an application, and what they were told.

    Nothing that identifies the person or the application they tried is kept: no reference,
    no date of birth, no address; only a keyed hash of the reference tried, so that repeated
    guessing at one reference shows.
    """

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="status_lookups")
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lookups",
        help_text="The application, when it was found.",
    )
    reference_hash = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(
        max_length=32, help_text="Where the person asked: help-centre, whatsapp, twilio-sms..."
    )
    outcome = models.CharField(max_length=32, choices=LookupOutcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["desk", "created_at"])]

    def __str__(self) -> str:
        return f"status look-up {self.pk} ({self.outcome})"
