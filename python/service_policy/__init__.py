"""Customer-service policy as code.

Parse a policy once with :meth:`Policy.parse` or :meth:`Policy.from_file`, then evaluate
records (dicts or JSON text) with :meth:`Policy.evaluate`, many at once with
:meth:`Policy.evaluate_batch`, or a whole Arrow column with :meth:`Policy.evaluate_arrow`.
Evaluation releases the GIL, so threads run in parallel.
"""

from ._native import (
    Policy,
    PolicyError,
    PolicySet,
    RecordError,
    SelectError,
    __version__,
    decision_schema,
)

__all__ = [
    "Policy",
    "PolicyError",
    "PolicySet",
    "RecordError",
    "SelectError",
    "__version__",
    "decision_schema",
]
