"""Reports kept for those who receive them: each desk's monthly report, and each of its
consular posts', as PDF and XLSX."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    """A month of a desk's (or one of its posts') figures, as written on `generated_at`:
    generated on the first of the next month, or on demand (`generated_by`)."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="monthly_reports")
    post = models.ForeignKey(
        "accountability.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_reports",
        help_text=_("Empty: the whole desk."),
    )
    month = models.DateField(_("month"), help_text=_("Its first day."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    complete = models.BooleanField(
        _("month over"), help_text=_("Whether the month had ended when it was generated.")
    )
    pdf = models.BinaryField(editable=False)
    xlsx = models.BinaryField(editable=False)
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: generated on schedule."),
    )

    class Meta:
        ordering = ["-month", "desk", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "month"],
                condition=Q(post__isnull=True),
                name="monthly_report_one_per_desk_month",
            ),
            models.UniqueConstraint(
                fields=["desk", "post", "month"],
                condition=Q(post__isnull=False),
                name="monthly_report_one_per_post_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk} {self.post or ''} {self.month:%Y-%m}".replace("  ", " ")
