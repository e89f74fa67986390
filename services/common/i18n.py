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


# The gettext context of the words that code values stand for (a status ``approved``, a
# kind ``utama``): a parameter whose value is such a word is shown translated too, so
# "this one is {status}" reads "SKP ini berstatus disetujui", never "... approved".
VALUE_CONTEXT = "value"


@cache
def _catalogs(locale: LocaleCode) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """(messages, values) for ``locale``: msgid → translation, both empty for English
    (the ids are English)."""
    messages: dict[str, str] = {}
    values: dict[str, str] = {}
    if locale == "en":
        return messages, values
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        for m in po:
            if not (m.id and m.string) or m.fuzzy:
                continue
            target = values if m.context == VALUE_CONTEXT else messages
            target[str(m.id)] = str(m.string)
    return messages, values


def catalog(locale: LocaleCode) -> Mapping[str, str]:
    """msgid → translation for ``locale`` (empty for English: the ids are English)."""
    return _catalogs(locale)[0]


def word(value: str, locale: LocaleCode = API_LOCALE) -> str:
    """A code value (``approved``, ``utama``, ``in_progress``) as the reader's word."""
    return _catalogs(locale)[1].get(value, value)


def translate(template: str, params: Params | None = None, locale: LocaleCode = API_LOCALE) -> str:
    """``template`` in ``locale`` with ``params`` filled in. An untranslated template falls
    back to the English one; a missing parameter leaves its placeholder, never raises."""
    messages, values = _catalogs(locale)
    text = messages.get(template, template)
    if not params:
        return text
    shown = {k: values.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    try:
        return text.format_map(_Lenient(shown))
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
