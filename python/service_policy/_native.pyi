"""Typed interface of the compiled extension (re-exported by ``service_policy``)."""

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow

__version__: str

Record = Mapping[str, Any] | str
"""A record: a dict of JSON data, or its JSON text."""

Now = datetime.datetime | str | None
"""An aware ``datetime``, an RFC 3339 text like ``2026-03-02T10:00:00Z``, or ``None`` for
the current time. Truncated to the whole second."""

class PolicyError(ValueError):
    """The policy has errors; ``str(error)`` is every diagnostic rendered with its source
    snippet."""

class RecordError(ValueError):
    """A record could not be read: not JSON, or not a JSON object."""

class SelectError(ValueError):
    """No policy of a set could decide a record: none applies, several do, or no version
    is in force at its as-of instant."""

class Policy:
    """A parsed, checked and compiled policy, immutable and safe to share between threads."""

    @staticmethod
    def parse(source: str, name: str = "<policy>") -> Policy:
        """Parse and check a policy; raise :class:`PolicyError` if it has errors. ``name``
        is the file name shown in diagnostics."""

    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Policy:
        """Read, parse and check a policy file; ``OSError`` if it cannot be read,
        :class:`PolicyError` if it has errors."""

    @property
    def name(self) -> str:
        """The policy's name."""

    @property
    def rules(self) -> list[str]:
        """Every rule's name, ``first of`` blocks included, in source order."""

    @property
    def warnings(self) -> str:
        """The checker's warnings, rendered; empty when there are none."""

    def evaluate(
        self, record: Record, now: Now = None, explain: bool = False
    ) -> dict[str, Any]:
        """Evaluate one record; the decision as a dict (``policy``, ``version``, ``now``,
        ``actions``, ``checks``, ``fired``, ``undecided``, ``errors``, ``recheck_at``, and
        ``trace`` with ``explain``). Raise :class:`RecordError` if the record is not a JSON
        object."""

    def evaluate_batch(
        self, records: Iterable[Record], now: Now = None
    ) -> list[dict[str, Any]]:
        """Evaluate many records at one ``now``; one decision per record, in order.
        Raise :class:`RecordError` naming the index of a record that is not a JSON object."""

    def evaluate_arrow(
        self,
        data: pyarrow.Table | pyarrow.RecordBatch,
        column: str = "record",
        now: Now = None,
        id_field: str = "id",
    ) -> pyarrow.Table:
        """Evaluate the JSON records in the text column ``column``; a table of
        :func:`decision_schema`, one row per input row, in order. A row that cannot be read
        has its ``error`` set and nulls elsewhere."""

class PolicySet:
    """Policies of several families and yearly versions: each record is decided by the
    policy whose ``when`` claims it, in the version in force at its as-of instant."""

    @staticmethod
    def from_paths(paths: Iterable[str | os.PathLike[str]]) -> PolicySet:
        """Load every policy among ``paths`` (files, and folders of ``*.policy``)."""

    @property
    def policies(self) -> list[tuple[str, str | None, str | None]]:
        """Every policy loaded, as ``(name, version, effective ISO date)``."""

    def evaluate(
        self,
        record: Record,
        now: Now = None,
        as_of_field: str | None = None,
        explain: bool = False,
    ) -> dict[str, Any]:
        """Evaluate one record with the policy that claims it; ``as_of_field`` names the
        record field whose instant picks the version in force (default: ``now``). Raise
        :class:`SelectError` when none or several claim it."""

    def evaluate_batch(
        self, records: Iterable[Record], now: Now = None, as_of_field: str | None = None
    ) -> list[dict[str, Any]]:
        """Evaluate many records at one ``now``; one decision per record, in order."""

def decision_schema() -> pyarrow.Schema:
    """The schema of the tables :meth:`Policy.evaluate_arrow` returns: ``id``, ``error``,
    ``actions``, ``statuses``, ``fired``, ``undecided``, ``errors``, ``recheck_at``,
    ``decision``."""
