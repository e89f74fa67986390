"""What the official documents print, pure: dates, periods, labels, numbers, people."""

from __future__ import annotations

from datetime import date

import pytest

from services.gateway.documents import content as c
from services.gateway.documents.data import place_of
from services.gateway.documents.render import html_of, qr_data_uri

pytestmark = pytest.mark.unit


def test_dates_and_periods_are_written_as_indonesian_documents_write_them() -> None:
    assert c.tanggal(date(2026, 12, 7)) == "7 Desember 2026"
    assert c.period_label("2026") == "1 Januari s.d. 31 Desember 2026"
    assert c.period_label("2026-Q3") == "Triwulan III 2026"
    assert c.period_label("2026-03") == "Maret 2026"
    assert c.is_annual("2026") and not c.is_annual("2026-Q1")
    with pytest.raises(ValueError):
        c.period_label("2026-13")


def test_numbers_labels_and_places() -> None:
    assert c.number(1234.5) == "1.234,50"
    assert c.number(None) == "-"
    assert c.amount(1200) == "1.200" and c.amount(2.5) == "2,5" and c.amount(0.75) == "0,75"
    assert c.label(c.RATINGS, "di_atas") == "Di Atas Ekspektasi"
    assert c.label(c.PREDIKAT, "butuh_perbaikan") == "Butuh Perbaikan"
    assert c.label(c.PREDIKAT, None) == "-"
    assert len(c.SKM_ELEMENTS) == 9
    assert place_of("Kabupaten Bantul") == "Bantul" and place_of("Kota Jayapura") == "Jayapura"


def test_people_and_the_digest() -> None:
    p = c.Person.of(name="Ani", nip=None, golongan="III/b", jabatan="Analis", unit="Disduk")
    assert (p.nip, p.pangkat) == ("-", "Penata Muda Tingkat I, III/b")
    assert c.Person.of(name="Ani", nip="1", golongan=None, jabatan="", unit="").pangkat == "-"
    assert c.digest({"a": 1, "b": [1, 2]}) == c.digest({"b": [1, 2], "a": 1})
    assert c.digest({"a": 1}) != c.digest({"a": 2})


def test_templates_escape_what_people_typed() -> None:
    nobody = c.NOBODY
    html = html_of(
        "skm.html",
        regency="Kabupaten Bantul",
        place="Bantul",
        unit="<script>x</script>",
        period="Maret 2026",
        responses=0,
        min_sample=384,
        provisional=True,
        suppressed=True,
        elements=[],
        comments=["<b>saran</b>"],
        comments_total=1,
        head=nobody,
        qr=qr_data_uri("http://x/verifikasi/t"),
        verify_url="http://x/verifikasi/t",
        token="t",
        printed="7 Desember 2026",
    )
    assert "<script>x" not in html and "&lt;b&gt;saran" in html
    assert qr_data_uri("http://x").startswith("data:image/svg+xml")
