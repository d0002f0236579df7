"""Shared fixtures: the repository's example policies and the `service-policy` binary."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
POLICIES = REPO / "examples" / "policies"
HISTORY = REPO / "examples" / "spark" / "history.jsonl"
NOW = "2026-03-10T00:00:00Z"


@pytest.fixture(scope="session")
def binary() -> pathlib.Path:
    """The command line to compare with: `$SERVICE_POLICY_BIN`, else the debug build."""
    path = pathlib.Path(
        os.environ.get("SERVICE_POLICY_BIN", REPO / "target" / "debug" / "service-policy")
    )
    if not path.exists():
        subprocess.run(["cargo", "build", "--quiet"], cwd=REPO, check=True)
    return path


def run_batch(binary, policy, records, *flags):
    """Runs `service-policy batch` and returns its output lines, parsed."""
    import json

    out = subprocess.run(
        [str(binary), "batch", "--now", NOW, "--errors-ok", *flags, str(policy), str(records)],
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def expected_status(decision: dict, rule: str) -> str:
    """A rule's status in a decision, derived here independently of the Rust code: its
    check's status, else `undecided`, `error`, `applied`, or `not_applicable`."""
    for check in decision["checks"]:
        if check["rule"] == rule:
            return check["status"]
    if any(u["rule"] == rule for u in decision["undecided"]):
        return "undecided"
    if any(e["rule"] == rule for e in decision["errors"]):
        return "error"
    if rule in decision["fired"]:
        return "applied"
    return "not_applicable"
