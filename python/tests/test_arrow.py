"""The Arrow path: the same decisions as `service-policy batch`, byte for byte."""

import json

import pyarrow as pa
import pytest

from service_policy import Policy, decision_schema

from conftest import HISTORY, NOW, POLICIES, expected_status, run_batch


@pytest.fixture(scope="module")
def retail() -> Policy:
    return Policy.from_file(POLICIES / "retail.policy")


@pytest.fixture(scope="module")
def history_lines() -> list[str]:
    return [line for line in HISTORY.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def batch_lines(binary) -> list[dict]:
    return run_batch(binary, POLICIES / "retail.policy", HISTORY)


def canonical(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_arrow_matches_batch_byte_for_byte(retail, history_lines, batch_lines):
    table = pa.table({"record": history_lines})
    out = retail.evaluate_arrow(table, now=NOW)
    assert out.schema == decision_schema()
    assert out.num_rows == len(batch_lines) == len(history_lines)
    rows = out.to_pylist()
    for row, want in zip(rows, batch_lines):
        if "error" in want:
            assert row["error"] == want["error"]
            assert row["decision"] is None and row["statuses"] is None
            continue
        assert row["error"] is None
        # The decision column is the very text batch writes; after a JSON round trip of
        # both sides the bytes are equal too.
        assert row["decision"] == canonical(want["decision"])
        assert canonical(json.loads(row["decision"])) == canonical(want["decision"])
        assert row["id"] == want["id"]


def test_the_columns_agree_with_the_decision(retail, history_lines):
    out = retail.evaluate_arrow(pa.table({"record": history_lines}), now=NOW).to_pylist()
    seen = set()
    for row in out:
        if row["error"] is not None:
            continue
        d = json.loads(row["decision"])
        assert row["fired"] == d["fired"]
        assert row["undecided"] == [u["rule"] for u in d["undecided"]]
        assert row["errors"] == d["errors"]
        assert [(a["action"], a["rules"], a["key"]) for a in row["actions"]] == [
            (a["action"], a["rules"], a["key"]) for a in d["actions"]
        ]
        for column, action in zip(row["actions"], d["actions"]):
            first = [v for k, v in action.items() if k not in ("action", "rules", "key")][0]
            assert column["target"] == (first if isinstance(first, str) else json.dumps(first))
        if d["recheck_at"] is None:
            assert row["recheck_at"] is None
        else:
            assert row["recheck_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == d["recheck_at"]
        assert [s["rule"] for s in row["statuses"]] == retail.rules
        for s in row["statuses"]:
            assert s["status"] == expected_status(d, s["rule"])
            seen.add(s["status"])
    assert seen == {
        "met", "breached", "pending", "within", "exceeded", "applied", "undecided",
        "not_applicable",
    }, "the history exercises every status but error"


def test_record_batches_large_strings_and_views(retail, history_lines):
    lines = history_lines[:64]
    want = retail.evaluate_arrow(pa.table({"record": lines}), now=NOW)
    batch = pa.record_batch({"record": pa.array(lines, pa.large_string())})
    assert retail.evaluate_arrow(batch, now=NOW) == want
    view = pa.table({"record": pa.array(lines, pa.string_view())})
    assert retail.evaluate_arrow(view, now=NOW) == want
    chunked = pa.Table.from_batches(
        [pa.record_batch({"record": lines[:10]}), pa.record_batch({"record": lines[10:]})]
    )
    assert retail.evaluate_arrow(chunked, now=NOW).combine_chunks() == want.combine_chunks()
    empty = retail.evaluate_arrow(pa.table({"record": pa.array([], pa.string())}), now=NOW)
    assert empty.num_rows == 0 and empty.schema == decision_schema()


def test_column_and_id_field_choices(retail):
    rows = ['{"ticket": {"no": 7}, "id": "x"}', None, '{"ticket": {"no": "A"}}']
    table = pa.table({"value": rows, "other": [1, 2, 3]})
    out = retail.evaluate_arrow(table, column="value", id_field="ticket.no", now=NOW)
    assert out.column("id").to_pylist() == ["7", None, "A"]
    assert out.column("error").to_pylist() == [None, "the record is null", None]
    with pytest.raises(ValueError, match="no column `record`; the columns are `value`, `other`"):
        retail.evaluate_arrow(table, now=NOW)
    with pytest.raises(ValueError, match="must hold JSON text"):
        retail.evaluate_arrow(table, column="other", now=NOW)
    with pytest.raises(TypeError):
        retail.evaluate_arrow([1, 2], now=NOW)
