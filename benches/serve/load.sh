#!/usr/bin/env bash
# Load benchmark of `service-policy serve` (docs/performance.md, "Decision service"):
# POST /v1/evaluate with the retail example's late-reply ticket, with wrk (Debian's `wrk`)
# at 1, 8 and 64 connections. Prints wrk's report for each, with latency percentiles.
#
#   bash benches/serve/load.sh [SECONDS]        # default 10 s per level
#
# Builds the release binary first; the server and wrk share the machine, so run it when
# the machine is otherwise quiet and read the figures as this machine's.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet --bin service-policy
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

./target/release/service-policy serve examples/policies/retail.policy \
  --addr 127.0.0.1:0 2> "$work/log" &
server=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/log" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/log" | head -n 1)
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/log" >&2; exit 1; }

record=$(tr -d '\n' < examples/policies/records/retail_late_reply.json)
body="{\"record\": $record, \"now\": \"2026-03-02T10:00:00Z\"}"
# Lua long brackets keep the JSON as it is.
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
LUA

# One check that the answer is a decision before measuring.
curl -sf "$url/v1/evaluate" -H 'Content-Type: application/json' -d "$body" | grep -q '"escalate"'

for connections in 1 8 64; do
  threads=$(( connections < 2 ? 1 : 2 ))
  echo "=== $connections connection(s), $threads wrk thread(s), ${seconds}s"
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$url/v1/evaluate"
done

# The server's own view of the same requests: its latency histogram for /v1/evaluate
# (cumulative counts per upper bound in seconds), without the load generator's queueing.
echo "=== server-side latency histogram, all three levels together"
curl -sf "$url/metrics" | grep 'request_duration_seconds_\(bucket\|count\){.*endpoint="/v1/evaluate"'
