"""The Spark example in local[2]: its per-rule, per-group counts equal those computed from
`service-policy batch` on the same history with either engine, and those of
`service-policy report` on the bundled history."""

import collections
import json
import pathlib
import sys

import pyarrow.parquet as pq
import pytest

from service_policy import Policy

from conftest import HISTORY, NOW, POLICIES, REPO, expected_status, run_batch

sys.path.insert(0, str(REPO / "examples" / "spark"))
import replay  # noqa: E402

STATUSES = replay.STATUSES


@pytest.fixture(scope="module")
def batch_lines(binary):
    return run_batch(binary, POLICIES / "retail.policy", HISTORY)


@pytest.fixture(scope="module")
def expected(batch_lines):
    """The summary, counted from batch's output and the input records."""
    rules = Policy.from_file(POLICIES / "retail.policy").rules
    inputs = HISTORY.read_text().splitlines()
    counts = collections.defaultdict(collections.Counter)
    unreadable = 0
    for line in batch_lines:
        if "error" in line:
            unreadable += 1
            continue
        region = json.loads(inputs[line["line"] - 1]).get("region")
        decision = line["decision"]
        for rule in rules:
            c = counts[(rule, region)]
            c["records"] += 1
            c["fired"] += rule in decision["fired"]
            c[expected_status(decision, rule)] += 1
    rows = []
    for (rule, region), c in sorted(counts.items()):
        met, breached = c["met"], c["breached"]
        rows.append({
            "rule": rule, "region": region, "records": c["records"], "fired": c["fired"],
            **{s: c[s] for s in STATUSES},
            "attainment": round(met / (met + breached), 6) if met + breached else None,
        })
    return {"records": len(batch_lines), "unreadable": unreadable, "groups": ["region"],
            "rules": rows}


@pytest.mark.parametrize("engine", ["arrow", "pipe"])
def test_spark_counts_equal_batch_counts(engine, binary, expected, batch_lines, tmp_path):
    out = tmp_path / engine
    code = replay.main([
        "--policy", str(POLICIES / "retail.policy"), "--input", str(HISTORY),
        "--output", str(out), "--now", NOW, "--group-by", "region", "--master", "local[2]",
        "--partitions", "2", "--engine", engine, "--binary", str(binary),
    ])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == 2000 and summary["unreadable"] == 2
    assert summary["rules"] == expected["rules"]
    assert summary == expected

    # The decisions written are batch's, record by record.
    table = pq.read_table(out / "decisions", columns=["id", "error", "decision"]).to_pylist()
    assert len(table) == len(batch_lines)
    by_id = {l["id"]: l["decision"] for l in batch_lines if "decision" in l}
    decided = [row for row in table if row["error"] is None]
    assert len(decided) == len(by_id)
    for row in decided:
        assert json.loads(row["decision"]) == by_id[row["id"]]


def test_an_invalid_policy_stops_the_job_on_the_driver(tmp_path):
    from service_policy import PolicyError

    bad = tmp_path / "bad.policy"
    bad.write_text('policy "x" {\n  rule {\n  }\n}\n')
    with pytest.raises(PolicyError, match="E0001"):
        replay.main([
            "--policy", str(bad), "--input", str(HISTORY), "--output", str(tmp_path / "out"),
            "--now", NOW, "--master", "local[2]",
        ])
    assert not (tmp_path / "out").exists(), "nothing is written"


def test_spark_counts_equal_service_policy_report(binary, tmp_path):
    """On the bundled history, the Spark summary agrees with `service-policy report --by`."""
    import subprocess

    policy = POLICIES / "history" / "desk.policy"
    history = POLICIES / "history" / "tickets.jsonl"
    now = "2026-07-01T00:00:00Z"
    report = json.loads(subprocess.run(
        [str(binary), "report", str(policy), str(history), "--now", now, "--by", "branch",
         "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    code = replay.main([
        "--policy", str(policy), "--input", str(history), "--output", str(tmp_path / "out"),
        "--now", now, "--group-by", "branch", "--master", "local[2]", "--partitions", "2",
    ])
    assert code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["unreadable"] == report["bad_lines"]["count"]
    mine = {(r["rule"], r["branch"]): r for r in summary["rules"]}
    compared = 0
    for group in report["groups"]:
        branch = group["key"]["branch"]
        for theirs in group["rules"]:
            ours = mine[(theirs["rule"], branch)]
            assert ours["records"] == group["records"], (theirs["rule"], branch)
            for field in ["fired", "met", "breached", "pending", "within", "exceeded",
                          "undecided", "error"]:
                assert ours[field] == theirs[field], (theirs["rule"], branch, field)
            # report counts a rule without a check that applied as not applicable (it has no
            # check status); the Arrow columns tell the two apart.
            assert ours["applied"] + ours["not_applicable"] == theirs["not_applicable"]
            compared += 1
    assert compared == len(mine), "every rule and group of the summary is in the report"
