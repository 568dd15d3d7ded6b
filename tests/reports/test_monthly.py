"""The monthly report: March 2026 of the hand-worked data set (tests/reports_data.py), read
back from its PDF (text by pdftotext, pages by pdftoppm) and its XLSX, in Spanish, Arabic and
Tamazight; kept and listed, written on schedule once a desk's month has ended, and given by
GET /api/v1/reports/monthly to those who see figures."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from openpyxl import load_workbook
from PIL import Image

from ventanilla.accountability import services as register
from ventanilla.accountability.models import Post
from ventanilla.conversations import services
from ventanilla.desks.models import Desk
from ventanilla.knowledge.models import Topic
from ventanilla.reports import monthly
from ventanilla.reports.models import MonthlyReport

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # as in test_kpis.py
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdftoppm) not installed"
)


def text_of(pdf: bytes, *options: str) -> str:
    """The PDF's text as pdftotext reads it, its bidi marks and line breaks made spaces."""
    out = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return re.sub(r"\s+", " ", BIDI_MARKS.sub("", out))


def pages_of(pdf: bytes, tmp_path) -> list[Image.Image]:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-", str(tmp_path / "page")], input=pdf, check=True
    )
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page-*.png"))]


@pytest.fixture
def topics(march):
    """Topics of March's conversations: passports for A, G and H (and F, in February),
    a visa for B."""
    for key, name, names in [
        ("passport", "Passport", {"es": "Pasaporte", "ar": "جواز السفر", "zgh": "ⴰⵙⵔⴰⴳ"}),
        ("visa", "Visa", {"es": "Visado", "ar": "تأشيرة", "zgh": "ⵜⵉⵣⵔⴰⴳ"}),
    ]:
        Topic.objects.create(key=key, name=name, names=names)
    for name, topic in [
        ("A", "passport"),
        ("G", "passport"),
        ("H", "passport"),
        ("F", "passport"),
        ("B", "visa"),
    ]:
        services.classify(conversation=march[name], by=None, topic=topic)
    return march


def write(desk: Desk, language: str, post: Post | None = None) -> MonthlyReport:
    desk.report_language = language
    desk.save()
    with time_machine.travel(NOW, tick=False):
        return monthly.generate(desk, post, monthly.month_of("2026-03", desk))


@needs_poppler
def test_the_pdf_in_spanish_says_march_s_figures(topics, desk, tmp_path):
    report = write(desk, "es")
    assert (report.month.isoformat(), report.language, report.complete) == (
        "2026-03-01",
        "es",
        True,
    )
    text = text_of(bytes(report.pdf), "-raw")  # in the order written: each tile whole
    assert "Informe mensual" in text
    assert "marzo 2026 (2026-03-01 \u2013 2026-03-31, Europe/Madrid)" in text
    assert "Comparado con febrero 2026" in text
    # The key figures as worked out by hand (test_kpis.py), beside February's (F only).
    for title, value, before in [
        ("Conversaciones", "6", "1"),
        ("Primera respuesta (mediana)", "1 h 00 min", "4 h 00 min"),
        ("Resolución (mediana)", "26 h 00 min", "6 h 00 min"),
        ("Primeras respuestas a tiempo", "67 %", "100 %"),
        ("Llamadas recibidas", "3", "0"),
        ("Llamadas abandonadas", "33 %", "\u2013"),
        ("Quejas", "1", "0"),
        ("Derivaciones", "2", "0"),
    ]:
        assert f"{title} {value} febrero 2026: {before}" in text, title
    # The days: six conversations, one a day at most (by the desk's days).
    assert "6 conversaciones; el día con más tuvo 1." in text
    # Top topics and their trend: passports 3 (1 in February), the visa new.
    assert "Pasaporte 3 1 +200 %" in text
    assert "Visado 1 0 nuevo este mes" in text
    # The complaint about C, answered; the two surveys of March (5 and 2).
    assert "Total 1 1 0 0" in text
    assert "Encuestas respondidas: 2. Puntuación media: 3.5 de 5." in text


@needs_poppler
def test_the_pdf_is_a4_with_its_day_chart_drawn(topics, desk, tmp_path):
    pages = pages_of(bytes(write(desk, "es").pdf), tmp_path)
    width, height = pages[0].size
    assert abs(height / width - 297 / 210) < 0.01  # A4
    bar = (0x2F, 0x7E, 0xA6)  # the chart's blue
    drawn = sum(
        count
        for count, colour in pages[0].getcolors(maxcolors=1 << 24)
        if all(abs(a - b) < 12 for a, b in zip(colour, bar, strict=True))
    )
    assert drawn > 50  # the bars of the days with conversations


@needs_poppler
def test_the_pdf_in_arabic_reads_right_to_left(topics, desk):
    text = text_of(bytes(write(desk, "ar").pdf))
    assert "التقرير الشهري" in text
    assert "مارس 2026" in text
    assert "جواز السفر" in text
    assert "المحادثات" in text
    # Arabic is laid out from the right: the title's first word sits right of its last.
    words = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=bytes(write(desk, "ar").pdf),
        capture_output=True,
        check=True,
    ).stdout.decode()
    spots = {  # pdftotext -bbox gives Arabic words as drawn, right to left: reversed here
        match.group(2)[::-1]: float(match.group(1))
        for match in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', words)
    }
    assert spots["التقرير"] > spots["الشهري:"]


@needs_poppler
def test_the_pdf_in_tamazight_is_written_in_tifinagh(topics, desk):
    text = text_of(bytes(write(desk, "zgh").pdf))
    assert "ⵎⴰⵕⵚ 2026" in text  # March
    assert "ⴰⵙⵔⴰⴳ" in text  # the passport topic's name


def test_the_xlsx_holds_the_figures_as_numbers(topics, desk):
    book = load_workbook(io.BytesIO(bytes(write(desk, "es").xlsx)))
    assert book.sheetnames[0] == "Cifras clave"
    assert {"day", "channel", "language", "topic", "request_type", "post"} <= set(book.sheetnames)
    key = {row[0]: row[1:] for row in book["Cifras clave"].iter_rows(values_only=True)}
    assert key["Cifra"] == ("marzo 2026", "febrero 2026")
    assert key["Conversaciones"] == (6, 1)
    assert key["Primera respuesta (mediana)"] == (3600, 4 * 3600)
    rows = list(book["topic"].iter_rows(values_only=True))
    header = rows[0]
    passport = dict(zip(header, next(row for row in rows if row[1] == "passport"), strict=True))
    assert (passport["conversations"], passport["previous_conversations"]) == (3, 1)
    scores = list(book["Satisfacción"].iter_rows(values_only=True))
    assert scores[1:] == [(5, 1, 50), (4, 0, 0), (3, 0, 0), (2, 1, 50), (1, 0, 0)]


@needs_poppler
def test_a_post_s_report_counts_only_its_conversations(topics, desk, agent):
    post = Post.objects.create(desk=desk, slug="consulado-madrid", name="Consulado de Madrid")
    register.set_post(conversation=topics["C"], post=post, by=agent)
    report = write(desk, "es", post)
    text = text_of(bytes(report.pdf), "-raw")
    assert "Informe mensual: Default desk · Consulado de Madrid" in text
    assert "Conversaciones 1 febrero 2026: 0" in text
    # A second report of the month replaces the first: one kept per post and month.
    write(desk, "es", post)
    assert MonthlyReport.objects.filter(desk=desk, post=post).count() == 1


def test_on_schedule_each_desk_s_month_is_written_once_it_has_ended(march, desk):
    Post.objects.create(desk=desk, slug="consulado-madrid", name="Consulado de Madrid")
    # 31 March, 23:30 UTC: still March in UTC, already 1 April in Madrid (UTC+2).
    with time_machine.travel(datetime(2026, 3, 31, 21, 30, tzinfo=UTC), tick=False):
        written = monthly.generate_due()  # February's, for the desk and its post
    assert len(written) == 2
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {
        datetime(2026, 2, 1).date()
    }
    with time_machine.travel(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), tick=False):
        written = monthly.generate_due()
    assert {(r.month.isoformat(), r.post_id is None) for r in written} == {
        ("2026-03-01", True),
        ("2026-03-01", False),
    }
    assert all(r.complete and r.generated_by is None for r in written)
    with time_machine.travel(datetime(2026, 4, 1, 8, 0, tzinfo=UTC), tick=False):
        assert monthly.generate_due() == []  # kept whole: not written again


# The API


def get(client, **query):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/api/v1/reports/monthly?{urlencode(query)}")


def test_the_api_gives_the_kept_report_as_pdf_and_xlsx(march, api_as, analyst):
    client = api_as(analyst)
    response = get(client, desk="default", month="2026-03")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report-default-2026-03.pdf"'
    assert response.content.startswith(b"%PDF-")
    kept = MonthlyReport.objects.get()
    assert (kept.generated_by, kept.complete) == (analyst, True)
    again = get(client, desk="default", month="2026-03", format="xlsx")
    assert again.status_code == 200
    assert again["Content-Type"].startswith("application/vnd.openxmlformats")
    assert MonthlyReport.objects.get().generated_at == kept.generated_at  # the kept one
    # By default: the last month ended (March, on 2 April).
    assert get(client, desk="default")["Content-Disposition"].endswith('2026-03.pdf"')


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"desk": "default", "month": "2026-13"}, "not a month such as 2026-11"),
        ({"desk": "default", "month": "March"}, "not a month such as 2026-11"),
        ({"desk": "default", "month": "2026-05"}, "has not begun"),
        ({"desk": "nowhere"}, "no desk 'nowhere'"),
        ({"desk": "default", "post": "nowhere"}, "no consular post 'nowhere'"),
        ({"desk": "default", "format": "docx"}, "format"),
    ],
)
def test_the_api_refuses_what_it_cannot_read(march, api_as, analyst, query, detail):
    response = get(api_as(analyst), **query)
    assert response.status_code == 422, response.content
    assert detail in response.json()["detail"]
    assert not MonthlyReport.objects.exists()


def test_agents_and_volunteers_get_no_report(march, api_as, agent, make_staff):
    for user in (agent, make_staff("volunteer", "volunteer")):
        assert get(api_as(user), desk="default", month="2026-03").status_code == 403
    assert not MonthlyReport.objects.exists()
