"""Words a person reads, in their language: Indonesian first, English selectable.

Texts are written in the code in English with ``{name}`` placeholders (the gettext
message id) and rendered from that template and structured parameters at the last
moment, in the reader's locale. Translations live in Babel/gettext catalogs under
``services/common/locale/<lang>/LC_MESSAGES/``: ``kinerja.po`` for the kernel and one
``<service>.po`` per service (so each owner edits its own file); they are read as one
catalog. ``tests/unit/test_i18n.py`` extracts every message from the code and fails on
one without an Indonesian entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LocaleCode = Literal["id", "en"]
LOCALES: tuple[LocaleCode, ...] = ("id", "en")
DEFAULT_LOCALE: LocaleCode = "id"  # what a person sees before choosing
API_LOCALE: LocaleCode = "en"  # what a bare API call without Accept-Language gets
LOCALE_DIR = Path(__file__).parent / "locale"

Params = Mapping[str, str | int | float | None]


@cache
def catalog(locale: LocaleCode) -> Mapping[str, str]:
    """msgid → translation for ``locale`` (empty for English: the ids are English)."""
    if locale == "en":
        return {}
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        merged.update({str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy})
    return merged


def translate(template: str, params: Params | None = None, locale: LocaleCode = API_LOCALE) -> str:
    """``template`` in ``locale`` with ``params`` filled in. An untranslated template falls
    back to the English one; a missing parameter leaves its placeholder, never raises."""
    text = catalog(locale).get(template, template)
    if not params:
        return text
    try:
        return text.format_map(_Lenient(params))
    except (ValueError, IndexError):
        return text


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def negotiate(accept_language: str | None, default: LocaleCode = API_LOCALE) -> LocaleCode:
    """The best of ``LOCALES`` for an ``Accept-Language`` header, else ``default``."""
    if not accept_language:
        return default
    wanted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag and tag != "*":
            wanted.append((weight, tag.strip()))
    for _weight, tag in sorted(wanted, key=lambda w: -w[0]):
        try:
            language = Locale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LOCALES:
            return language
    return default
