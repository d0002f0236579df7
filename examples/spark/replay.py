"""Replay a history of tickets through a policy on Apache Spark.

Reads JSON lines (one record per line) or Parquet, decides every record, writes the
decisions as Parquet and a compliance summary per rule and group (Spark SQL), printed and
written as JSON.

Two engines:

* ``arrow`` (default): ``mapInArrow`` with the ``service_policy`` Python package; each Arrow
  batch is decided in one call, the GIL released, no process per batch.
* ``pipe``: ``rdd.pipe`` through the ``service-policy batch`` binary, one process per
  partition; for clusters where only the binary can be shipped.

Local run (two cores)::

    python examples/spark/replay.py --policy examples/policies/retail.policy \\
        --input examples/spark/history.jsonl --output /tmp/replay --now 2026-03-10T00:00:00Z \\
        --group-by region --master 'local[2]'

On a cluster, see docs/scale-out.md (``spark-submit --files/--py-files``).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shlex
import subprocess
import sys
import time

STATUSES = [
    "met", "breached", "pending", "within", "exceeded", "undecided", "error", "applied",
    "not_applicable",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--policy", required=True, help="the policy file")
    p.add_argument("--input", required=True, help="JSON lines (.jsonl, .json, .gz) or Parquet")
    p.add_argument("--format", choices=["json", "parquet"], help="default: from the extension")
    p.add_argument("--output", required=True, help="folder for decisions/ and summary.json")
    p.add_argument("--now", required=True, help="the evaluation instant, RFC 3339")
    p.add_argument("--group-by", action="append", default=[], metavar="FIELD",
                   help="a record field to group the summary by (repeatable, dotted paths)")
    p.add_argument("--id-field", default="id", help="the record field that names a record")
    p.add_argument("--engine", choices=["arrow", "pipe"], default="arrow")
    p.add_argument("--binary", default="service-policy",
                   help="pipe engine: the service-policy binary as the executors see it")
    p.add_argument("--master", help="Spark master, e.g. local[2]; default: spark-submit's")
    p.add_argument("--partitions", type=int, help="repartition the records first")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Local runs: the executors' Python is this one, with service_policy installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("service-policy replay")
    if args.master:
        builder = builder.master(args.master)
    spark = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        records = read_records(spark, args)
        if args.partitions:
            records = records.repartition(args.partitions)
        if args.engine == "arrow":
            decisions = decide_with_arrow(records, args)
        else:
            decisions = decide_with_pipe(spark, records, args)
        out = pathlib.Path(args.output)
        started = time.perf_counter()
        decisions.write.mode("overwrite").parquet(str(out / "decisions"))
        elapsed = time.perf_counter() - started
        written = spark.read.parquet(str(out / "decisions"))
        summary = compliance_summary(spark, written, group_names(args))
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
        print_summary(summary)
        print(f"decided and wrote {summary['records']} records in {elapsed:.1f}s "
              f"({summary['records'] / max(elapsed, 1e-9):.0f} records/s, {args.engine} engine)")
    finally:
        spark.stop()
    return 0


def group_names(args: argparse.Namespace) -> list[str]:
    """Column names for the groups: `customer.tier` becomes `customer_tier`."""
    return [g.replace(".", "_") for g in args.group_by]


def read_records(spark, args):
    """A DataFrame with `record` (the record's JSON text) and one string column per group."""
    from pyspark.sql import functions as F

    fmt = args.format or ("parquet" if args.input.endswith(".parquet") else "json")
    if fmt == "parquet":
        rows = spark.read.parquet(args.input)
        records = rows.select(F.to_json(F.struct(*rows.columns)).alias("record"))
    else:
        # Read as text, not with Spark's JSON reader: each record reaches the policy exactly
        # as written, and a bad line stays a line (an error row), never a dropped one.
        records = (
            spark.read.text(args.input)
            .where(F.trim("value") != "")
            .select(F.col("value").alias("record"))
        )
    for field, name in zip(args.group_by, group_names(args)):
        records = records.withColumn(name, F.get_json_object("record", f"$.{field}"))
    return records


def spark_schema(groups: list[str]) -> str:
    """The Spark form of `service_policy.decision_schema()`, plus the group columns."""
    columns = [
        "id string",
        "error string",
        "actions array<struct<action: string, target: string, rules: array<string>, key: string>>",
        "statuses array<struct<rule: string, status: string>>",
        "fired array<string>",
        "undecided array<string>",
        "errors array<struct<rule: string, field: string, message: string>>",
        "recheck_at timestamp",
        "decision string",
    ]
    columns += [f"{g} string" for g in groups]
    return ", ".join(columns)


def decide_with_arrow(records, args):
    policy_text = pathlib.Path(args.policy).read_text()
    policy_name = args.policy
    from service_policy import Policy

    # Parsed on the driver first: an invalid policy stops the job before any task starts.
    Policy.parse(policy_text, name=policy_name)
    groups = group_names(args)
    now, id_field = args.now, args.id_field

    def decide(batches):
        # Parsed once per task; the policy is immutable and shared by the batches.
        from service_policy import Policy

        policy = Policy.parse(policy_text, name=policy_name)
        for batch in batches:
            out = policy.evaluate_arrow(batch, column="record", now=now, id_field=id_field)
            for name in groups:
                out = out.append_column(name, [batch.column(name)])
            yield from out.to_batches()

    return records.mapInArrow(decide, spark_schema(groups))


def rule_names(binary: str, policy: str, now: str) -> list[str]:
    """Every rule of the policy, in source order, from the binary's explain trace of an
    empty record (the trace lists every rule)."""
    out = subprocess.run(
        [binary, "eval", policy, "-", "--now", now, "--explain"],
        input="{}", capture_output=True, text=True,
    )
    if out.returncode not in (0, 1) or not out.stdout.strip():
        raise SystemExit(f"cannot read the policy's rules: {out.stderr.strip()}")
    return [entry["rule"] for entry in json.loads(out.stdout)["trace"]]


def decide_with_pipe(spark, records, args):
    from pyspark.sql import functions as F

    groups = group_names(args)
    command = " ".join(shlex.quote(part) for part in [
        args.binary, "batch", args.policy, "-", "--now", args.now, "--errors-ok",
        "--id-field", args.id_field, "--jobs", "1",
    ])
    # One process per partition; checkCode: an invalid policy or an I/O error fails the job,
    # a bad record does not (--errors-ok).
    lines = records.select("record").rdd.map(lambda row: row.record).pipe(command, checkCode=True)
    out = spark.createDataFrame(lines.map(lambda line: (line,)), "line string")
    decision_type = (
        "struct<checks: array<struct<rule: string, status: string>>, fired: array<string>, "
        "undecided: array<struct<rule: string>>, errors: array<struct<rule: string>>, "
        "recheck_at: string>"
    )
    rules = rule_names(args.binary, args.policy, args.now)
    rules_sql = "array(" + ", ".join("'" + r.replace("'", "\\'") + "'" for r in rules) + ")"
    status_sql = f"""transform({rules_sql}, r -> named_struct('rule', r, 'status', coalesce(
        try_element_at(filter(d.checks, c -> c.rule = r), 1).status,
        CASE WHEN exists(d.undecided, u -> u.rule = r) THEN 'undecided'
             WHEN exists(d.errors, e -> e.rule = r) THEN 'error'
             WHEN array_contains(d.fired, r) THEN 'applied'
             ELSE 'not_applicable' END)))"""
    decided = (
        out.select(
            F.get_json_object("line", "$.id").alias("id"),
            F.get_json_object("line", "$.error").alias("error"),
            F.get_json_object("line", "$.decision").alias("decision"),
        )
        .withColumn("d", F.from_json("decision", decision_type))
        .select(
            "id", "error", "decision",
            F.expr(status_sql).alias("statuses"),
            F.col("d.fired").alias("fired"),
            F.expr("transform(d.undecided, u -> u.rule)").alias("undecided"),
            F.to_timestamp("d.recheck_at").alias("recheck_at"),
        )
    )
    if not groups:
        return decided
    # Output lines name their record by id: join the groups back on it.
    keys = records.select(
        F.get_json_object("record", f"$.{args.id_field}").alias("id"), *groups
    ).where(F.col("id").isNotNull())
    return decided.join(keys, on="id", how="left")


def compliance_summary(spark, decisions, groups: list[str]) -> dict:
    """Per rule and group: records, fired, and the count of every status; attainment of
    deadlines `met / (met + breached)`. Unreadable records are counted apart."""
    decisions.createOrReplaceTempView("decisions")
    group_cols = "".join(f", {g}" for g in groups)
    counts = ",\n  ".join(f"count_if(s.status = '{s}') AS {s}" for s in STATUSES)
    rows = spark.sql(f"""
SELECT s.rule AS rule{group_cols},
  count(*) AS records,
  count_if(array_contains(fired, s.rule)) AS fired_count,
  {counts}
FROM decisions LATERAL VIEW explode(statuses) AS s
WHERE error IS NULL
GROUP BY s.rule{group_cols}
ORDER BY s.rule{group_cols}
""").collect()
    unreadable = spark.sql("SELECT count(*) AS n FROM decisions WHERE error IS NOT NULL").first().n
    total = spark.sql("SELECT count(*) AS n FROM decisions").first().n
    per_rule = []
    for row in rows:
        entry = row.asDict()
        entry["fired"] = entry.pop("fired_count")
        decided = entry["met"] + entry["breached"]
        entry["attainment"] = round(entry["met"] / decided, 6) if decided else None
        per_rule.append(entry)
    return {"records": total, "unreadable": unreadable, "groups": groups, "rules": per_rule}


def print_summary(summary: dict) -> None:
    groups = summary["groups"]
    head = ["rule", *groups, "records", "fired", "met", "breached", "pending", "within",
            "exceeded", "undecided", "error", "applied", "n/a", "attain"]
    print(f"{summary['records']} records, {summary['unreadable']} unreadable")
    print("  ".join(f"{h:>10}" for h in head))
    for r in summary["rules"]:
        cells = [r["rule"], *(str(r[g]) for g in groups), r["records"], r["fired"], r["met"],
                 r["breached"], r["pending"], r["within"], r["exceeded"], r["undecided"],
                 r["error"], r["applied"], r["not_applicable"],
                 "-" if r["attainment"] is None else f"{r['attainment']:.1%}"]
        print("  ".join(f"{str(c):>10}" for c in cells))


if __name__ == "__main__":
    sys.exit(main())
