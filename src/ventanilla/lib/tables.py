"""Tables people download: CSV read in chunks, and XLSX for those who open it in a
spreadsheet; no cell is ever run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The rows as CSV lines, header first, one line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(header: list[str], rows: Iterable[list[Any]], *, title: str) -> bytes:
    """The rows as one sheet of an XLSX workbook, written as it goes. Text is kept as text
    (never a formula); numbers and dates keep their type."""
    return workbook_bytes([(title, header, rows)])


def workbook_bytes(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
    """Tables as the sheets of one XLSX workbook: (title, header, rows) each."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=..." stays what the person wrote
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(
    header: list[str], rows: list[list[Any]], *, form: str, name: str, title: str
) -> HttpResponseBase:
    """The table as a file to download, `name.csv` (streamed a line at a time) or
    `name.xlsx` (one sheet named `title`)."""
    response: HttpResponseBase
    if form == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX)
    else:
        response = StreamingHttpResponse(
            csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{form}"'
    return response
