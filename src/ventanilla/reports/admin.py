"""The admin's view of kept reports: written by the reports' service alone."""

from django.contrib import admin

from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["month", "desk", "post", "language", "complete", "generated_at"]
    list_filter = ["desk", "complete"]
    exclude = ["pdf", "xlsx"]
