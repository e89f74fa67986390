"""The export files: an XLSX round trip (openpyxl reads back what was written) in which
every formula-like text stays text, and the CSV's neutralising apostrophe."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from services.common.i18n import catalog
from services.gateway.exports.sheet import csv_cell, to_csv, to_xlsx
from services.gateway.exports.tables import LABELS, TABLES

pytestmark = pytest.mark.unit

TRAPS = ['=HYPERLINK("http://evil","klik")', "+62 812 3456", "-1+2", "@SUM(A1:A9)", "\t=1"]


def test_xlsx_round_trip_keeps_formula_like_cells_as_text() -> None:
    rows = [[trap, i, -1.5] for i, trap in enumerate(TRAPS)] + [["Sri Lestari", None, 0]]
    data = to_xlsx("Pegawai: daftar/1", ["Nama", "Nomor", "Nilai"], rows)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.title == "Pegawai  daftar 1"
    read = [[c.value for c in row] for row in sheet.iter_rows()]
    assert read[0] == ["Nama", "Nomor", "Nilai"]
    assert read[1:] == [[t, i, -1.5] for i, t in enumerate(TRAPS)] + [["Sri Lestari", None, 0]]
    for row in sheet.iter_rows(min_row=2, max_row=len(TRAPS) + 1):
        assert row[0].data_type == "s" and row[0].quotePrefix  # text, shown as typed
        assert row[2].data_type == "n"  # a negative number stays a number
    # No formula anywhere in the file: the sheet's XML has no <f> element.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_csv_neutralises_with_an_apostrophe_and_keeps_numbers() -> None:
    assert [csv_cell(t) for t in TRAPS] == ["'" + t for t in TRAPS]
    assert (csv_cell(-5), csv_cell(2.5), csv_cell(None), csv_cell("Budi")) == (
        "-5",
        "2.5",
        "",
        "Budi",
    )
    text = to_csv(["Nama", "Nilai"], [["=1+1", 3], ['Ani "A"', None]]).decode("utf-8")
    assert text == '\ufeff"Nama","Nilai"\r\n"\'=1+1","3"\r\n"Ani ""A""",""\r\n'


def test_every_header_sheet_name_and_word_of_the_registry_has_its_indonesian() -> None:
    indonesian = catalog("id")
    words = {t.title for t in TABLES.values()}
    words |= {c.header for t in TABLES.values() for c in t.columns}
    words |= {w for group in LABELS.values() for w in group.values()}
    words |= {"Yes", "No", "Active", "Inactive"}
    missing = sorted(w for w in words if w not in indonesian)
    assert not missing, missing
