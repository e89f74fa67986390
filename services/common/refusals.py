"""The one refusal family: every rule a request breaks is raised as one of these, and the
runtime answers it once, as a 4xx whose reason is rendered in the caller's language.

    raise Conflict("the SKP of {year} is already approved", year=year)

answers ``409 {"detail": "<text in the Accept-Language>", "reason": {"message":
"the SKP of {year} is already approved", "params": {"year": 2026}}}``: a page can show
``detail`` as it is, a program can read the English template and its parameters.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

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

    @classmethod
    def of(cls, reason: Reason, *, headers: dict[str, str] | None = None) -> Self:
        """This refusal, for what a pure rule returned."""
        return cls(reason.message, headers=headers, **reason.params)

    def text(self, locale: str = "en") -> str:
        return translate(self.message, self.params, locale)  # type: ignore[arg-type]

    def body(self, locale: str) -> dict[str, Any]:
        """The answer's JSON body; a refusal that lists several problems (a CSV import's
        bad lines) overrides this to put the list in ``detail``."""
        return {
            "detail": self.text(locale),
            "reason": {"message": self.message, "params": dict(self.params)},
        }


class Reason:
    """What a rule says is wrong, as a template and its parameters, before (or without)
    refusing a request with it: pure rules return one, the service raises it with
    ``BadRequest.of(reason)`` or lists several (an import's problems)."""

    def __init__(self, message: str, /, **params: str | int | float | None) -> None:
        self.message = message
        self.params: Params = params

    def text(self, locale: str = "en") -> str:
        return translate(self.message, self.params, locale)  # type: ignore[arg-type]

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "params": dict(self.params)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and (self.message, dict(self.params)) == (
            other.message,
            dict(other.params),
        )

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"Reason({self.text()!r})"


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


class InBatch(Refusal):
    """One item of a batch request refused, so the whole batch is (all or none): the
    item's own status and reason, with its place in the batch (counting from 1) in the
    text and as ``reason.params.item``."""

    def __init__(self, item: int, refusal: Refusal) -> None:
        params = {**refusal.params, "item": item}
        super().__init__(refusal.message, headers=refusal.headers, **params)
        self.status = refusal.status  # type: ignore[misc]  # the item's, not one of its own
        self.item, self.refusal = item, refusal

    def text(self, locale: str = "en") -> str:
        reason = self.refusal.text(locale)
        return Reason("item {item} of the batch: {reason}", item=self.item, reason=reason).text(
            locale
        )


# The names ``pybabel extract`` (and tests/unit/test_i18n.py) treat as message markers:
# the first argument of a call to one of these is a message id.
MARKERS = tuple(
    cls.__name__
    for cls in (
        Refusal,
        Reason,
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
    return exc.body(locale)


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    locale = negotiate(request.headers.get("accept-language"))
    return JSONResponse(refusal_body(exc, locale), status_code=exc.status, headers=exc.headers)


def install_refusals(app: FastAPI) -> None:
    """Map the whole family to its 4xx answers (done once, by the runtime)."""
    app.add_exception_handler(Refusal, _answer)
