"""What people are told about their applications, in the active language (gettext)."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ventanilla.helpcentre.models import Application, ApplicationService, ApplicationStatus


def ask_for_birth_date() -> str:
    return _(
        "To tell you where your application stands, we need the applicant's date of birth. "
        "Please send it as day/month/year, for example 25/12/1990."
    )


def not_found() -> str:
    """The one answer to an unknown reference and to a wrong date of birth."""
    return _(
        "We found no application with these details. Please check the reference "
        "number and the date of birth, and try again."
    )


def too_many_attempts() -> str:
    return _(
        "Too many attempts. To protect the applicants' information, please wait "
        "a while before trying again."
    )


def status(application: Application) -> str:
    """The status of an application and what to do next, in the active language."""
    place = {
        "service": service_name(application),
        "reference": application.reference,
        "status": ApplicationStatus(application.status).label,
        "date": formats.date_format(application.status_updated_on, "DATE_FORMAT"),
        "post": application.post,
    }
    # Translators: service is what was applied for, as the desk names it (Passport); status
    # is one of the statuses, such as "ready for collection"; date is the last update's.
    first = _("%(service)s application %(reference)s: %(status)s (last update: %(date)s).")
    return f"{first % place} {_next_step(application.status) % place}"


def service_name(application: Application, language: str | None = None) -> str:
    """What was applied for, in `language` (by default the active one) when the desk has
    named the service in it, else as the import wrote it."""
    service = ApplicationService.objects.filter(
        desk_id=application.desk_id, name=application.service
    ).first()
    if service is None:
        return application.service
    return service.name_in(language or get_language())


def _next_step(status: str) -> str:
    steps = {
        ApplicationStatus.RECEIVED: _("It has been received and will be reviewed soon."),
        ApplicationStatus.IN_REVIEW: _(
            "%(post)s is reviewing it. You do not need to do anything for now."
        ),
        ApplicationStatus.DOCUMENTS_NEEDED: _(
            "%(post)s needs more documents from you. Please contact them."
        ),
        ApplicationStatus.APPROVED: _("It has been approved and is being prepared."),
        ApplicationStatus.SENT_TO_POST: _(
            "It is on its way to %(post)s. Please wait until it is ready for collection."
        ),
        ApplicationStatus.READY_FOR_COLLECTION: _(
            "You can collect it at %(post)s. Bring an identity document."
        ),
        ApplicationStatus.COLLECTED: _("It has been collected at %(post)s."),
        ApplicationStatus.REJECTED: _(
            "It was refused. Please contact %(post)s to know why and what you can do."
        ),
    }
    return steps[ApplicationStatus(status)]
