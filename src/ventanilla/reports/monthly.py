"""The monthly report a ministry receives: a month of a desk's work, or of one of its
consular posts', beside the month before, in the desk's reporting language, as PDF (to read
and print) and XLSX (to compute with). Volumes, the key figures, service levels, the phone
line, top topics and their trend, complaints and their answers, satisfaction: counts and
durations only, never content or identities.

Reports are generated on the first of each month for the month just ended (every desk and
each of its posts) and on demand, and kept (one per desk or post and month, the latest)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.accountability.models import Complaint, Kind, Post, Survey, SurveyState
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, Unavailable
from ventanilla.lib.names import name_in
from ventanilla.lib.tables import XLSX, workbook_bytes
from ventanilla.reports import kpis, readable
from ventanilla.reports.models import MonthlyReport
from ventanilla.reports.sla import Period, Scope, readers_desks

log = logging.getLogger(__name__)

FONTS = Path(__file__).parent / "fonts"
# The tables of groups the report shows, in order: the grouping and its title.
TABLES = [
    ("channel", gettext_lazy("By channel")),
    ("language", gettext_lazy("By language")),
    ("request_type", gettext_lazy("By request type")),
    ("post", gettext_lazy("By consular post")),
]
TOP_TOPICS = 10


@dataclass(frozen=True)
class Month:
    """A calendar month in a desk's time zone."""

    first: date
    zone: ZoneInfo

    @property
    def last(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1) - timedelta(days=1)

    def period(self) -> Period:
        return Period(self.first, self.last, self.zone)

    def before(self) -> Month:
        return Month((self.first - timedelta(days=1)).replace(day=1), self.zone)

    def is_over(self, now: datetime) -> bool:
        return now.astimezone(self.zone).date() > self.last


def month_of(text: str | None, desk: Desk, now: datetime | None = None) -> Month:
    """The month `text` names (YYYY-MM) in the desk's zone; by default the last one ended."""
    zone = ZoneInfo(desk.timezone)
    today = (now or timezone.now()).astimezone(zone).date()
    if not text:
        return Month((today.replace(day=1) - timedelta(days=1)).replace(day=1), zone)
    try:
        first = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Invalid(f"month: {text!r} is not a month such as 2026-11") from None
    if first > today:
        raise Invalid(f"month: {text} has not begun")
    return Month(first, zone)


def _scope(desk: Desk, month: Month) -> Scope:
    return Scope(desk, Desk.objects.filter(pk=desk.pk), month.period(), (desk.pk,))


def _month_name(first: date) -> str:
    return f"{MONTHS[first.month]} {first.year}"


def contents(desk: Desk, post: Post | None, month: Month) -> dict[str, Any]:
    """What the report says, in the active language: its heading, key figures, days,
    tables, topics, service levels, phone line, complaints and satisfaction."""
    filters = kpis.Filters(post=post.slug if post else None)
    groupings = ["day", "topic", *(g for g, _t in TABLES if not (post and g == "post"))]
    scope = _scope(desk, month)
    before = month.before()
    found = kpis.measure(scope, filters, groupings=groupings, before=before.period())
    language = translation.get_language()
    return {
        "desk": desk.name_in(language),
        "post": post.name_in(language) if post else None,
        "month": _month_name(month.first),
        "previous_month": _month_name(before.first),
        "first": month.first,
        "last": month.last,
        "timezone": desk.timezone,
        "found": found,
        "key_rows": _rows_of(readable.key_figures(found), 4),
        "days": _day_bars(found["by"]["day"], month),
        "tables": [
            _table(title, found["by"][grouping])
            for grouping, title in TABLES
            if grouping in found["by"]
        ],
        "topics": _topics(found["by"]["topic"]),
        "service_levels": _service_levels(found),
        "phone": _phone(found),
        "complaints": _complaints(desk, filters, month),
        "satisfaction": _satisfaction(desk, filters, month, found),
    }


def _rows_of(items: list[Any], n: int) -> list[list[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


def _table(title: Any, groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": str(title),
        "columns": [str(heading) for _n, heading in readable.COLUMNS],
        "rows": [
            {
                "label": group["label"],
                "cells": [
                    readable.shown(group["figures"][name], readable.kind(name))
                    for name, _h in readable.COLUMNS
                ],
            }
            for group in groups
        ],
    }


def _day_bars(groups: list[dict[str, Any]], month: Month) -> dict[str, Any]:
    """Conversations per day as the bars of a chart, 25 mm high at most."""
    counts = {group["key"]: group["figures"]["conversations"] for group in groups}
    highest = max(counts.values(), default=0)
    bars = []
    for n in range((month.last - month.first).days + 1):
        day = month.first + timedelta(days=n)
        count = counts.get(day.isoformat(), 0)
        height = round(25 * count / highest, 1) if highest else 0
        bars.append({"day": day.day, "count": count, "height": f"{height:.1f}"})  # CSS, not prose
    return {"bars": bars, "highest": highest, "total": sum(counts.values())}


def _topics(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The topics with the most conversations, their count the month before and the change,
    with a bar's length (per cent of the first)."""
    keyed = [group for group in groups if group["key"] is not None][:TOP_TOPICS]
    most = max((group["figures"]["conversations"] for group in keyed), default=0)
    return [
        {
            "label": group["label"],
            "count": group["figures"]["conversations"],
            "previous": group["previous"]["conversations"],
            "change": readable.change(
                group["figures"]["conversations"], group["previous"]["conversations"], None
            ),
            "bar": round(100 * group["figures"]["conversations"] / most) if most else 0,
        }
        for group in keyed
        if group["figures"]["conversations"]
    ]


def _service_levels(found: dict[str, Any]) -> list[dict[str, Any]]:
    """Each request type's clocks: met, breached and the share in time."""
    rows = []
    for group in [*found["by"]["request_type"], {"label": _("Total"), "figures": found["total"]}]:
        figures = group["figures"]
        rows.append(
            {
                "label": group["label"],
                "cells": [
                    readable.shown(figures["first_response_met"], "count"),
                    readable.shown(figures["first_response_breached"], "count"),
                    readable.shown(figures["first_response_compliance"], "rate"),
                    readable.shown(figures["resolution_met"], "count"),
                    readable.shown(figures["resolution_breached"], "count"),
                    readable.shown(figures["resolution_compliance"], "rate"),
                ],
            }
        )
    return rows


PHONE = [
    ("calls", gettext_lazy("Calls received"), "count"),
    ("calls_answered", gettext_lazy("Calls answered"), "count"),
    ("calls_abandoned", gettext_lazy("Calls abandoned"), "count"),
    ("abandonment_rate", gettext_lazy("Abandonment rate"), "rate"),
    ("calls_service_level", gettext_lazy("Answered within 60 seconds"), "rate"),
    ("call_wait_median_seconds", gettext_lazy("Wait on the phone (median)"), "seconds"),
    ("call_wait_p90_seconds", gettext_lazy("Wait on the phone (90th percentile)"), "seconds"),
    ("talk_median_seconds", gettext_lazy("Talk time (median)"), "seconds"),
]


def _phone(found: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "title": str(title),
            "value": readable.shown(found["total"][name], kind),
            "previous": readable.shown(found["total_previous"][name], kind),
        }
        for name, title, kind in PHONE
    ]


def _in_month(month: Month, field: str) -> Q:
    start, until = month.period().bounds()
    return Q(**{f"{field}__gte": start, f"{field}__lt": until})


def _complaints(desk: Desk, filters: kpis.Filters, month: Month) -> dict[str, Any]:
    """Complaints and suggestions filed in the month, by category: filed, answered (and how
    soon, median), still open at the month's end."""
    _start, until = month.period().bounds()
    filed = (
        Complaint.objects.filter(desk=desk)
        .filter(_in_month(month, "opened_at"))
        .filter(filters.q("conversation__"))
    )
    language = translation.get_language()
    rows = []
    by_category = (
        filed.values("category", "category__name", "category__names")
        .annotate(
            n_complaints=Count("pk", filter=Q(kind=Kind.COMPLAINT)),
            n_answered=Count("pk", filter=Q(kind=Kind.COMPLAINT, answered_at__lt=until)),
            n_suggestions=Count("pk", filter=Q(kind=Kind.SUGGESTION)),
        )
        .order_by("-n_complaints", "category__name")
    )
    for row in by_category:
        label = (
            name_in(row["category__name"], row["category__names"], language)
            if row["category"]
            else _("Not set")
        )
        rows.append(
            {
                "label": label,
                "complaints": row["n_complaints"],
                "answered": row["n_answered"],
                "open": row["n_complaints"] - row["n_answered"],
                "suggestions": row["n_suggestions"],
            }
        )
    total = {
        name: sum(row[name] for row in rows)
        for name in ("complaints", "answered", "open", "suggestions")
    }
    return {"rows": rows, "total": total}


def _satisfaction(
    desk: Desk, filters: kpis.Filters, month: Month, found: dict[str, Any]
) -> dict[str, Any]:
    """Surveys answered in the month: scores 1 to 5 and their share, and the rates."""
    scored = (
        Survey.objects.filter(desk=desk, score__isnull=False)
        .exclude(state__in=[SurveyState.DECLINED, SurveyState.SKIPPED])
        .filter(_in_month(month, "answered_at"))
        .filter(filters.q("conversation__"))
        .values("score")
        .annotate(n=Count("pk"))
    )
    counts = {row["score"]: row["n"] for row in scored}
    total = sum(counts.values())
    total_figures = found["total"]
    return {
        "scores": [
            {
                "score": score,
                "count": counts.get(score, 0),
                "share": round(100 * counts.get(score, 0) / total) if total else 0,
            }
            for score in range(5, 0, -1)
        ],
        "answered": total_figures["surveys_answered"],
        "average": readable.shown(total_figures["score_average"], "score"),
        "satisfied": readable.shown(total_figures["satisfied_rate"], "rate"),
        "solved": readable.shown(total_figures["solved_rate"], "rate"),
    }


# The files


def _only_fonts() -> Any:
    """WeasyPrint's fetcher, allowed only the report's own fonts: nothing a name written in
    the report could point to is ever read."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OnlyFonts(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = Path(url.removeprefix("file://")).resolve()
            if not url.startswith("file://") or path.parent != FONTS.resolve():
                raise ValueError("a report reads only its own fonts")
            return URLFetcherResponse(url, body=path.read_bytes())

    return OnlyFonts()


def pdf(shown: dict[str, Any]) -> bytes:
    """The report as an A4 PDF, right to left in Arabic, its fonts embedded."""
    try:  # Pango (a system library), loaded only when a report is written
        from weasyprint import HTML
    except OSError as error:
        log.error("PDF reports need Pango: %s", error)
        raise Unavailable(
            "PDF reports need the Pango library on this machine (Debian: apt-get install "
            "libpangoft2-1.0-0); see docs/reports.md"
        ) from None

    language = translation.get_language()
    html = render_to_string(
        "reports/monthly.html",
        {
            **shown,
            "fonts": FONTS.resolve().as_uri(),
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "language": language,
            "generated": formats.date_format(timezone.localdate(), "Y-m-d"),
        },
    )
    return bytes(HTML(string=html, url_fetcher=_only_fonts()).write_pdf())


def xlsx(shown: dict[str, Any]) -> bytes:
    """The report's figures as a workbook: the key figures, then a sheet per grouping with
    every figure (as `GET /api/v1/reports/kpis` gives them), complaints and satisfaction."""
    found = shown["found"]
    heading = [str(_("Figure")), shown["month"], shown["previous_month"]]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            str(_("Key figures")),
            heading,
            [
                [str(title), found["total"][name], found["total_previous"][name]]
                for name, title, _k, _b in readable.KEY_FIGURES
            ],
        )
    ]
    for grouping, groups in found["by"].items():
        header, rows = kpis.kpi_table({**found, "group_by": grouping, "groups": groups})
        sheets.append((grouping, header, rows))
    complaints = shown["complaints"]
    sheets.append(
        (
            str(_("Complaints")),
            [str(_("Category")), *(str(t) for t in COMPLAINT_COLUMNS)],
            [[row["label"], *(row[n] for n in COMPLAINT_FIELDS)] for row in complaints["rows"]]
            + [[str(_("Total")), *(complaints["total"][n] for n in COMPLAINT_FIELDS)]],
        )
    )
    sheets.append(
        (
            str(_("Satisfaction")),
            [str(_("Score")), str(_("Surveys")), "%"],
            [[row["score"], row["count"], row["share"]] for row in shown["satisfaction"]["scores"]],
        )
    )
    return workbook_bytes(sheets)


COMPLAINT_FIELDS = ("complaints", "answered", "open", "suggestions")
COMPLAINT_COLUMNS = (
    gettext_lazy("Complaints"),
    gettext_lazy("Answered"),
    gettext_lazy("Not yet answered"),
    gettext_lazy("Suggestions"),
)


# The service


def generate(desk: Desk, post: Post | None, month: Month, *, by: Any = None) -> MonthlyReport:
    """Write the month's report of the desk (or post) in the desk's reporting language and
    keep it, replacing an earlier one of the same month (written first, kept in one
    statement: no transaction stays open while the PDF is laid out)."""
    language = desk.reporting_language()
    with translation.override(language):
        shown = contents(desk, post, month)
        files = {"pdf": pdf(shown), "xlsx": xlsx(shown)}
    now = timezone.now()
    report, _created = MonthlyReport.objects.update_or_create(
        desk=desk,
        post=post,
        month=month.first,
        defaults={
            "language": language,
            "complete": month.is_over(now),
            "generated_at": now,
            "generated_by": by,
            **files,
        },
    )
    log.info("monthly report %s written", report.pk)
    return report


def generate_due(now: datetime | None = None) -> list[MonthlyReport]:
    """The reports of the month just ended, for every desk and each of its posts in use,
    where that month has ended in the desk's zone and its report is not yet kept whole."""
    now = now or timezone.now()
    written = []
    for desk in Desk.objects.all():
        month = month_of(None, desk, now)
        kept = set(
            MonthlyReport.objects.filter(desk=desk, month=month.first, complete=True).values_list(
                "post", flat=True
            )
        )
        for post in [None, *Post.objects.filter(desk=desk, active=True)]:
            if (post.pk if post else None) not in kept:
                written.append(generate(desk, post, month))
    return written


def _chosen(
    user: Any, desk: str | None, post: str | None, month: str | None
) -> tuple[Desk, Post | None, Month]:
    """The desk (among those the reader sees), post and month a reader asked for."""
    desks, named = readers_desks(user, desk or None)
    if named is not None:
        found = named
    elif desks.count() == 1:
        found = desks.get()
    else:
        raise Invalid("desk: say which desk")
    the_post = None
    if post:
        the_post = Post.objects.filter(desk=found, slug=post).first()
        if the_post is None:
            raise Invalid(f"post: no consular post {post!r} at {found.slug}")
    return found, the_post, month_of(month, found)


def report_for(
    user: Any, *, desk: str | None, post: str | None, month: str | None
) -> MonthlyReport:
    """The kept report of the month (the last one ended by default) for a desk the reader
    sees, or of one of its posts; written now if not kept, or kept before the month ended."""
    chosen, the_post, the_month = _chosen(user, desk, post, month)
    kept = MonthlyReport.objects.filter(
        desk=chosen, post=the_post, month=the_month.first, complete=True
    ).first()
    return kept or generate(chosen, the_post, the_month, by=user)


def write_for(user: Any, *, desk: str | None, post: str | None, month: str | None) -> MonthlyReport:
    """Write the month's report now, for a desk the reader sees or one of its posts,
    replacing the one kept (after a correction to the month's data, say)."""
    chosen, the_post, the_month = _chosen(user, desk, post, month)
    return generate(chosen, the_post, the_month, by=user)


def kept_for(user: Any) -> Any:
    """The kept reports of the desks the reader sees, newest month first."""
    require(user, "conversations.view_statistics")
    return MonthlyReport.objects.filter(desk__in=desks_visible_to(user)).select_related(
        "desk", "post", "generated_by"
    )


def kept_report(user: Any, pk: int) -> MonthlyReport:
    found = kept_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("no such report")
    return found


TYPES = {"pdf": "application/pdf", "xlsx": XLSX}


def as_file(report: MonthlyReport, form: str) -> HttpResponse:
    """The kept report as a file to download: report-DESK[-POST]-YYYY-MM.pdf or .xlsx."""
    if form not in TYPES:
        raise Invalid(f"format: must be one of {', '.join(TYPES)}")
    parts = [report.desk.slug, *([report.post.slug] if report.post else [])]
    name = "-".join(["report", *parts, f"{report.month:%Y-%m}"])
    response = HttpResponse(bytes(getattr(report, form)), content_type=TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{name}.{form}"'
    return response
