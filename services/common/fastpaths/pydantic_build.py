"""Build a pydantic model from another model's already validated fields, without copying.

Relies on pydantic 2's instance layout: a ``BaseModel`` instance's whole state is four
slots, ``__dict__`` (the field values), ``__pydantic_fields_set__``, ``__pydantic_extra__``
and ``__pydantic_private__`` (what ``BaseModel.model_construct`` sets). The event decoder
validates a message in one pass into a per-type envelope class (a discriminated union
cannot produce :class:`~services.common.events.Envelope` itself) and then adopts that
object's field dict into an ``Envelope``: ``model_construct`` re-walks every field and cost
more than validating a small event (see ``bench/scoring_drain.py``). :func:`construct`
does the same from a dict of already validated values: scoring wraps tens of thousands of
its own ``score.updated`` and alert payloads per batch (``new_internal_event``).

Contract: ``tests/unit/test_pydantic_contract.py``. If pydantic adds a slot or stores
field values elsewhere, that test fails instead of the decoder building half-made models.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# The slots this module fills; the contract test compares them with pydantic's.
STATE_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")

_new = object.__new__
_set = object.__setattr__


def adopt(cls: type[M], validated: BaseModel) -> M:
    """A ``cls`` sharing ``validated``'s field dict. ``validated`` must have exactly
    ``cls``'s fields, in the same order, with values ``cls`` would accept as they are, and
    no extra or private attributes (the caller's models forbid extras and have no private
    ones); it must not be used afterwards (the dict is shared, not copied)."""
    model = _new(cls)
    _set(model, "__dict__", validated.__dict__)
    _set(model, "__pydantic_fields_set__", validated.__pydantic_fields_set__)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def construct(cls: type[M], fields: dict[str, Any]) -> M:
    """A ``cls`` whose field dict is ``fields`` (taken, not copied): what
    ``cls.model_construct(**fields)`` builds when ``fields`` holds every field of ``cls``,
    in declaration order, with values ``cls`` would accept as they are."""
    model = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", set(fields))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
