"""The dict and text paths: parsing, every decision field, errors, `now`, threads."""

import datetime
import decimal
import json
import pathlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from service_policy import Policy, PolicyError, RecordError, __version__

from conftest import NOW, POLICIES, HISTORY, run_batch

SUPPORT = """policy "Support" {
  version "7"
  record {
    priority: "low" | "high"
    opened_at: time
    first_reply_at: time?
    credit: money?
  }

  rule first_reply {
    expect first_reply_at within 1h of opened_at
    at 50%: notify "team-lead"
    on breach: escalate to "supervisor"
  }

  rule refund_cap {
    limit credit <= 100 USD
    on exceed: require approval from "manager"
  }

  first of {
    rule vip { when priority == "high" then tag "vip" }
    rule normal { then tag "normal" }
  }
}
"""


@pytest.fixture(scope="module")
def support() -> Policy:
    return Policy.parse(SUPPORT, name="support.policy")


def test_parse_gives_name_rules_and_no_warnings(support):
    assert support.name == "Support"
    assert support.rules == ["first_reply", "refund_cap", "vip", "normal"]
    assert support.warnings == ""
    assert "Support" in repr(support)
    assert __version__


def test_a_parse_error_raises_the_rendered_diagnostic():
    with pytest.raises(PolicyError) as caught:
        Policy.parse('policy "x" {\n  rule {\n  }\n}\n', name="broken.policy")
    text = str(caught.value)
    assert "E0001" in text
    assert "broken.policy:2:8" in text, text
    assert "rule {" in text, "the source snippet is shown"
    assert isinstance(caught.value, ValueError)


def test_a_check_error_lists_every_diagnostic():
    source = 'policy "x" {\n  record { a: number }\n  rule r { when b > 1 then tag "t" }\n  rule r { then tag "u" }\n}\n'
    with pytest.raises(PolicyError) as caught:
        Policy.parse(source)
    text = str(caught.value)
    assert text.count("×") >= 2, text
    assert "`b`" in text


def test_from_file_reads_and_reports(tmp_path):
    retail = Policy.from_file(POLICIES / "retail.policy")
    assert retail.name == "Retail customer care"
    assert Policy.from_file(str(POLICIES / "retail.policy")).rules == retail.rules
    broken = tmp_path / "broken.policy"
    broken.write_text('policy "x" { rule { } }')
    with pytest.raises(PolicyError, match="broken.policy"):
        Policy.from_file(broken)
    with pytest.raises(OSError, match="absent.policy"):
        Policy.from_file(tmp_path / "absent.policy")


def test_every_decision_field(support):
    record = {
        "id": "T-1",
        "priority": "high",
        "opened_at": "2026-03-09T22:00:00Z",
        "credit": "150 USD",
    }
    d = support.evaluate(record, now=NOW)
    assert list(d) == [
        "policy", "version", "now", "actions", "checks", "fired", "undecided", "errors", "recheck_at",
    ]
    assert d["policy"] == "Support"
    assert d["version"] == "7"
    assert d["now"] == NOW
    assert [(a["action"], a.get("to"), a.get("from"), a.get("tag")) for a in d["actions"]] == [
        ("escalate", "supervisor", None, None),
        ("require_approval", None, "manager", None),
        ("tag", None, None, "vip"),
    ]
    assert d["actions"][0]["rules"] == ["first_reply"]
    assert all(len(a["key"]) == 16 for a in d["actions"])
    assert d["checks"] == [
        {"rule": "first_reply", "kind": "deadline", "status": "breached", "target": "1h",
         "deadline": "2026-03-09T23:00:00Z", "elapsed": "2h", "remaining": None},
        {"rule": "refund_cap", "kind": "limit", "status": "exceeded", "value": "150 USD",
         "limit": "100 USD", "excess": "50 USD"},
    ]
    assert d["fired"] == ["first_reply", "refund_cap", "vip"]
    assert d["undecided"] == []
    assert d["errors"] == []
    assert d["recheck_at"] is None


def test_undecided_errors_and_recheck(support):
    d = support.evaluate({"opened_at": "2026-03-09T23:30:00Z"}, now=NOW)
    assert d["undecided"] == [{"rule": "vip", "missing": ["priority"]}]
    assert d["errors"] == [
        {"rule": None, "field": "priority", "message": "required field `priority` is missing"}
    ]
    assert d["checks"][0]["status"] == "pending"
    assert d["checks"][0]["remaining"] == "30m"
    assert d["recheck_at"] == "2026-03-10T00:30:00Z"
    assert d["actions"][0]["action"] == "notify"


def test_explain_adds_a_trace(support):
    record = {"priority": "low", "opened_at": "2026-03-09T23:30:00Z"}
    plain = support.evaluate(record, now=NOW)
    explained = support.evaluate(record, now=NOW, explain=True)
    assert "trace" not in plain
    trace = explained.pop("trace")
    assert explained == plain, "explain adds a trace and changes nothing else"
    assert [t["rule"] for t in trace] == support.rules


def test_dict_and_text_give_the_same_decision_as_the_binary(binary):
    retail = Policy.from_file(POLICIES / "retail.policy")
    lines = (POLICIES / "records" / "tickets.jsonl").read_text().splitlines()
    expected = run_batch(binary, POLICIES / "retail.policy", POLICIES / "records" / "tickets.jsonl")
    rows = [line for line in lines if line.strip()]
    assert len(rows) == len(expected)
    for text, want in zip(rows, expected):
        if "error" in want:
            with pytest.raises(RecordError):
                retail.evaluate(text, now=NOW)
            continue
        assert retail.evaluate(text, now=NOW) == want["decision"]
        assert retail.evaluate(json.loads(text), now=NOW) == want["decision"]


def test_record_errors(support):
    with pytest.raises(RecordError, match="invalid JSON"):
        support.evaluate("{not json", now=NOW)
    with pytest.raises(RecordError, match="an array"):
        support.evaluate("[1, 2]", now=NOW)
    with pytest.raises(RecordError, match="a record must be a JSON object"):
        support.evaluate([1, 2], now=NOW)
    with pytest.raises(TypeError, match="keys must be str"):
        support.evaluate({1: "x"}, now=NOW)
    with pytest.raises(TypeError, match="found object"):
        support.evaluate({"x": object()}, now=NOW)
    with pytest.raises(ValueError, match="too large"):
        support.evaluate({"x": 2**70}, now=NOW)
    with pytest.raises(ValueError, match="not a number"):
        support.evaluate({"x": float("nan")}, now=NOW)
    looped = {}
    looped["self"] = looped
    with pytest.raises(ValueError, match="nested deeper"):
        support.evaluate(looped, now=NOW)


def test_python_values_are_read_as_json_data(support):
    when = datetime.datetime(2026, 3, 9, 23, 30, tzinfo=datetime.timezone.utc)
    as_objects = {
        "priority": "high",
        "opened_at": when,
        "credit": "99.50 USD",
        "score": decimal.Decimal("1.5"),
        "flags": (True, None),
    }
    as_text = {
        "priority": "high",
        "opened_at": "2026-03-09T23:30:00+00:00",
        "credit": "99.50 USD",
        "score": 1.5,
        "flags": [True, None],
    }
    assert support.evaluate(as_objects, now=NOW) == support.evaluate(as_text, now=NOW)


def test_now_forms(support):
    record = {"priority": "low", "opened_at": "2026-03-09T23:30:00Z"}
    aware = datetime.datetime(2026, 3, 10, 5, 30, 0, 999999,
                              tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))
    assert support.evaluate(record, now=aware)["now"] == NOW, "offsets and fractions are handled"
    with pytest.raises(ValueError, match="time zone"):
        support.evaluate(record, now=datetime.datetime(2026, 3, 10))
    with pytest.raises(ValueError, match="RFC 3339"):
        support.evaluate(record, now="yesterday")
    current = support.evaluate(record)["now"]
    assert current.startswith(str(datetime.datetime.now(datetime.timezone.utc).year))


def test_evaluate_batch_keeps_order_and_names_a_bad_record(support):
    records = [
        {"id": i, "priority": "high" if i % 2 else "low", "opened_at": "2026-03-09T23:00:00Z"}
        for i in range(50)
    ]
    decisions = support.evaluate_batch(records, now=NOW)
    assert decisions == [support.evaluate(r, now=NOW) for r in records]
    assert support.evaluate_batch(iter(json.dumps(r) for r in records), now=NOW) == decisions
    assert support.evaluate_batch([], now=NOW) == []
    with pytest.raises(RecordError, match="record 2: invalid JSON"):
        support.evaluate_batch(['{}', '{}', 'oops'], now=NOW)


def test_threads_share_one_policy():
    retail = Policy.from_file(POLICIES / "retail.policy")
    lines = [l for l in HISTORY.read_text().splitlines()[:400] if l.startswith("{") and l.endswith("}")]
    sequential = [retail.evaluate(line, now=NOW) for line in lines]
    chunks = [lines[i::8] for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda chunk: retail.evaluate_batch(chunk, now=NOW), chunks))
        singles = list(pool.map(lambda line: retail.evaluate(line, now=NOW), lines))
    for i, chunk in enumerate(results):
        assert chunk == sequential[i::8]
    assert singles == sequential


def test_policy_set_picks_the_family_and_the_version_in_force(tmp_path):
    from service_policy import PolicySet, SelectError

    (tmp_path / "main.policy").write_text('policy "Main" {\n  rule r { then tag "main" }\n}\n')
    for year in (2025, 2026):
        (tmp_path / f"vip-{year}.policy").write_text(
            f'policy "VIP" {{\n  version "{year}"\n  effective {year}-01-01\n'
            f'  when tier == "vip"\n  rule r {{ then tag "vip-{year}" }}\n}}\n'
        )
    policies = PolicySet.from_paths([tmp_path])
    assert sorted(policies.policies) == [
        ("Main", None, None), ("VIP", "2025", "2025-01-01"), ("VIP", "2026", "2026-01-01"),
    ]
    vip = {"tier": "vip", "opened_at": "2025-06-01T00:00:00Z"}
    assert policies.evaluate({"tier": "gold"}, now=NOW)["policy"] == "Main"
    assert policies.evaluate(vip, now=NOW)["actions"][0]["tag"] == "vip-2026"
    as_of = policies.evaluate(vip, now=NOW, as_of_field="opened_at")
    assert (as_of["version"], as_of["actions"][0]["tag"]) == ("2025", "vip-2025")
    assert policies.evaluate_batch([vip, json.dumps(vip)], now=NOW, as_of_field="opened_at") == [
        as_of, as_of,
    ]
    early = {"tier": "vip", "opened_at": "2024-06-01T00:00:00Z"}
    with pytest.raises(SelectError, match="in force"):
        policies.evaluate(early, now=NOW, as_of_field="opened_at")
    with pytest.raises(RecordError, match="record 1: invalid JSON"):
        policies.evaluate_batch([vip, "nope"], now=NOW)
    (tmp_path / "broken.policy").write_text('policy "x" { rule { } }')
    with pytest.raises(PolicyError, match="broken.policy"):
        PolicySet.from_paths([tmp_path])
