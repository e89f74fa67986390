"""Rows of cells as an XLSX workbook or a CSV file, neither of which a spreadsheet will run.

A cell is text, a number or empty. A text that begins with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some spreadsheets strip before looking) could be taken for a
formula: a name or a note must never become one (CSV/formula injection). In XLSX such a
text is written as a string cell with the quote-prefix style, so Excel and LibreOffice show
it exactly and never evaluate it, and the file's text stays the original; in CSV, which has
no types, it gets a leading apostrophe, the convention spreadsheets hide. Numbers stay
numbers (a negative number is not a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, MergedCell
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Font

Cell = str | int | float | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit on a sheet's name; it also forbids a few characters.
_SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def formula_like(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Cell) -> str:
    """A cell as CSV text: empty for None, an apostrophe before a formula-like text."""
    if value is None:
        return ""
    if isinstance(value, bool):  # never a count
        return str(value)
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + value if formula_like(value) else value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Indonesian names right), CRLF, every field quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """One sheet: a bold header row, then the rows; formula-like texts as quoted strings."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = title.translate(_SHEET_FORBIDDEN)[:_SHEET_TITLE_MAX] or "Sheet"
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        _put(sheet.cell(row=1, column=column), header).font = bold
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet.cell(row=r, column=column), value)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell: XlCell | MergedCell, value: Cell) -> XlCell:
    assert isinstance(cell, XlCell)  # a new sheet merges nothing
    cell.value = value
    if formula_like(value):
        # openpyxl takes a text beginning with "=" for a formula: make it a string again
        # and mark it quote-prefixed, as Excel does for such a text typed in.
        cell.data_type = TYPE_STRING
        cell.quotePrefix = True
    return cell
