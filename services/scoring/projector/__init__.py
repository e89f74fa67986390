"""Scoring's write side: every event of the platform in, projections and alerts out.

``batch`` orchestrates a batch (lock, load, apply, recompute, alert, write); ``routing``
holds the one table of what each event type locks, loads, parks on, releases and which
function applies it; ``employee``, ``unit`` and ``regency`` are the projections; ``alerts``
evaluates the alert rules of ``domain``; ``rows`` types the rows; ``cache`` keeps owned
state between batches. The read side (``views``, ``scheduler``) does not import this
package: what both need is in ``services.scoring.shared``.
"""

from services.scoring.projector.batch import Projector as Projector
