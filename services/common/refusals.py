"""The one refusal family: every rule a request breaks is raised as one of these, and the
runtime answers it once, as a 4xx whose reason is rendered in the caller's language.

    raise Conflict("the SKP of {year} is already approved", year=year)

answers ``409 {"detail": "<text in the Accept-Language>", "reason": {"message":
"the SKP of {year} is already approved", "params": {"year": 2026}}}``: a page can show
``detail`` as it is, a program can read the English template and its parameters.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.i18n import Params, negotiate, translate


class Refusal(Exception):
    """A request refused by a rule. ``message`` is an English template (the gettext id),
    ``params`` fill its ``{placeholders}``."""

    status: ClassVar[int] = 400

    def __init__(
        self,
        message: str,
        /,
        *,
        headers: dict[str, str] | None = None,
        **params: str | int | float | None,
    ) -> None:
        self.message = message
        self.params: Params = params
        self.headers = headers
        super().__init__(translate(message, params, "en"))

    def text(self, locale: str = "en") -> str:
        return translate(self.message, self.params, locale)  # type: ignore[arg-type]


class BadRequest(Refusal):
    status = 400


class Unauthorized(Refusal):
    status = 401


class Forbidden(Refusal):
    status = 403


class NotFound(Refusal):
    status = 404


class Conflict(Refusal):
    status = 409


class TooLarge(Refusal):
    status = 413


class Unprocessable(Refusal):
    status = 422


class TooManyRequests(Refusal):
    status = 429


# The names ``pybabel extract`` (and tests/unit/test_i18n.py) treat as message markers:
# the first argument of a call to one of these is a message id.
MARKERS = tuple(
    cls.__name__
    for cls in (
        Refusal,
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        TooLarge,
        Unprocessable,
        TooManyRequests,
    )
)


def refusal_body(exc: Refusal, locale: str) -> dict[str, Any]:
    return {
        "detail": exc.text(locale),
        "reason": {"message": exc.message, "params": dict(exc.params)},
    }


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    locale = negotiate(request.headers.get("accept-language"))
    return JSONResponse(refusal_body(exc, locale), status_code=exc.status, headers=exc.headers)


def install_refusals(app: FastAPI) -> None:
    """Map the whole family to its 4xx answers (done once, by the runtime)."""
    app.add_exception_handler(Refusal, _answer)
