"""The pages' words in the reader's language, from the same Babel catalogs as the API's.

Templates are written in English (``{{ _("Log in") }}``, Jinja's i18n extension) and
rendered in the language of the ``kinerja_lang`` cookie. Scripts get the translations of
``gateway.po`` as a JSON data block in the page (``<script type="application/json"
id="i18n">``: not executed, so the Content-Security-Policy allows it) and render with
``K.t("English template {x}", {x})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from babel.messages.pofile import read_po
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from services.common.i18n import LOCALE_DIR, LocaleCode, translate

GATEWAY_PO = "gateway.po"


@cache
def script_catalog(locale: LocaleCode) -> Mapping[str, str]:
    """msgid → translation of the gateway's own catalog (what page scripts may ask for);
    empty for English, whose ids are the texts."""
    if locale == "en":
        return {}
    path = LOCALE_DIR / locale / "LC_MESSAGES" / GATEWAY_PO
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translate(message, None, context.get("locale", "id"))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural, None, context.get("locale", "id"))


def install(env: Environment) -> None:
    """Jinja's i18n extension, new style (``_("{n} items", n=3)`` fills with %-format in
    the extension; our templates use ``%(name)s`` there)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )


def t(template: str, locale: LocaleCode, **params: Any) -> str:
    """For Python code that builds page text (titles, messages)."""
    return translate(template, params, locale)
