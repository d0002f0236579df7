// The playground: edit a policy and a record, evaluate them on this server, read the
// decision and the diagnostics. Everything here talks to the service's own /v1 endpoints;
// nothing is loaded from elsewhere.

const $ = (id) => document.getElementById(id);
const policyText = $("policy");
const recordText = $("record-text");
const gutter = $("gutter");
let examples = [];

function element(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

async function call(path, body) {
  const headers = { "Content-Type": "application/json" };
  const token = $("token").value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = { error: { code: "unreadable_answer", message: String(e) } };
  }
  return { ok: response.ok, status: response.status, json };
}

// ---- the policy editor: line numbers, marked lines ----

let marks = new Map();

function drawGutter() {
  const count = policyText.value.split("\n").length;
  gutter.replaceChildren();
  for (let line = 1; line <= count; line++) {
    const severity = marks.get(line);
    gutter.append(element("span", severity ? { class: severity, "data-line": line } : {}, `${line}\n`));
  }
  gutter.scrollTop = policyText.scrollTop;
}

function goTo(line, column) {
  const lines = policyText.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  policyText.focus();
  policyText.setSelectionRange(offset, offset + 1);
  policyText.scrollTop = Math.max(0, (line - 5) * 18);
  drawGutter();
}

policyText.addEventListener("input", () => { marks = new Map(); drawGutter(); });
policyText.addEventListener("scroll", () => { gutter.scrollTop = policyText.scrollTop; });

// ---- diagnostics ----

function showDiagnostics(diagnostics) {
  const list = $("diagnostics");
  list.replaceChildren();
  marks = new Map();
  const lines = policyText.value.split("\n");
  for (const d of diagnostics) {
    const line = d.start.line;
    if (d.severity === "error" || !marks.has(line)) marks.set(line, d.severity);
    const source = lines[line - 1] ?? "";
    const width = Math.max(1, d.end.line === line ? d.end.column - d.start.column : source.length - d.start.column + 1);
    const caret = " ".repeat(Math.max(0, d.start.column - 1)) + "^".repeat(width);
    const where = element("span", { class: "where", title: "show in the editor" }, `line ${line}, column ${d.start.column}`);
    where.addEventListener("click", () => goTo(line, d.start.column));
    list.append(element("li", { class: d.severity, "data-code": d.code, "data-line": line },
      element("span", { class: "code" }, `${d.severity}[${d.code}]`), " ", where, ": ", d.message,
      element("pre", {}, `${String(line).padStart(4)} | ${source}\n     | ${caret}${d.labels?.[0]?.message ? " " + d.labels[0].message : ""}`),
      d.help ? element("div", { class: "help" }, `help: ${d.help}`) : null));
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  $("diagnostic-count").textContent = diagnostics.length
    ? `(${errors} error${errors === 1 ? "" : "s"}, ${diagnostics.length - errors} warning${diagnostics.length - errors === 1 ? "" : "s"})`
    : "(none)";
  drawGutter();
  // Bring the first problem into view, without taking the focus from where the author is.
  if (diagnostics.length) {
    policyText.scrollTop = Math.max(0, (diagnostics[0].start.line - 5) * 18);
    gutter.scrollTop = policyText.scrollTop;
  }
}

// ---- the decision ----

const UNIT = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/// Seconds in a duration as the decision prints it (`1d23h`, `45m`); null if none.
function seconds(text) {
  if (typeof text !== "string") return null;
  let total = 0;
  let matched = false;
  for (const [, n, unit] of text.matchAll(/(\d+)([wdhms])/g)) {
    total += Number(n) * UNIT[unit];
    matched = true;
  }
  return matched ? total : null;
}

function amount(text) {
  const n = typeof text === "string" ? Number.parseFloat(text) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function bar(fraction, status, label) {
  const width = Math.max(0, Math.min(1, fraction)) * 100;
  return element("div", { class: `bar ${status}`, role: "progressbar", "aria-valuenow": Math.round(fraction * 100), title: label },
    element("span", { style: `width:${width}%` }));
}

function describe(action) {
  const to = action.to ?? action.from;
  switch (action.action) {
    case "escalate": return `escalate to ${to}`;
    case "notify": return `notify ${to}`;
    case "assign": return `assign to ${to}`;
    case "require_approval": return `require approval from ${action.from}`;
    case "follow_up": return `follow up within ${action.within} (due ${action.due})`;
    case "refund": return `refund ${action.amount}`;
    case "tag": return `tag ${action.tag}`;
    case "set": return `set ${action.field} to ${JSON.stringify(action.value)}`;
    case "emit": return `emit ${action.name}`;
    default: return action.action;
  }
}

function showDecision(d) {
  const out = $("decision");
  out.replaceChildren();
  out.append(element("p", {}, `Policy "${d.policy}"${d.version ? " " + d.version : ""} at ${d.now}`));
  out.append(element("h3", {}, "Actions"));
  if (d.actions.length === 0) out.append(element("p", { class: "none", id: "no-actions" }, "no action required"));
  const actions = element("ul", { id: "actions" });
  for (const a of d.actions) {
    actions.append(element("li", { class: "action", "data-action": a.action }, describe(a), " ",
      element("small", {}, `[${a.rules.join(", ")}]`)));
  }
  out.append(actions);
  const deadlines = d.checks.filter((c) => c.kind === "deadline");
  const limits = d.checks.filter((c) => c.kind === "limit");
  if (deadlines.length) out.append(element("h3", {}, "Deadlines"));
  for (const c of deadlines) {
    const target = seconds(c.target);
    const elapsed = seconds(c.elapsed) ?? 0;
    const fraction = target ? elapsed / target : 1;
    out.append(element("div", { class: "deadline", "data-rule": c.rule, "data-status": c.status },
      element("span", { class: "status" }, c.rule), `: ${c.status}, ${c.elapsed ?? "?"} of ${c.target}`,
      c.remaining ? `, ${c.remaining} left` : "", `, deadline ${c.deadline ?? "unknown"}`,
      bar(fraction, c.status, `${Math.round(fraction * 100)}% of the target used`)));
  }
  if (limits.length) out.append(element("h3", {}, "Limits"));
  for (const c of limits) {
    const value = amount(c.value);
    const limit = amount(c.limit);
    const fraction = value !== null && limit ? value / limit : 1;
    out.append(element("div", { class: "limit", "data-rule": c.rule, "data-status": c.status },
      element("span", { class: "status" }, c.rule), `: ${c.status}, ${c.value} against ${c.limit}`,
      c.excess ? `, ${c.excess} over` : "",
      bar(fraction, c.status, `${Math.round(fraction * 100)}% of the limit`)));
  }
  const facts = element("ul", { id: "facts" });
  if (d.fired.length) facts.append(element("li", {}, `fired: ${d.fired.join(", ")}`));
  for (const u of d.undecided) facts.append(element("li", { class: "undecided" }, `undecided: ${u.rule} (missing ${u.missing.join(", ")})`));
  for (const e of d.errors) facts.append(element("li", { class: "eval-error" }, `error${e.rule ? " in " + e.rule : ""}${e.field ? " at " + e.field : ""}: ${e.message}`));
  if (d.recheck_at) facts.append(element("li", {}, `look again at ${d.recheck_at}`));
  out.append(facts);
  out.append(element("details", {}, element("summary", {}, "decision JSON"), element("pre", {}, JSON.stringify(d, null, 2))));
}

function showProblem(text) {
  $("problem").textContent = text;
}

// ---- the buttons ----

async function evaluate() {
  showProblem("");
  const source = policyText.value;
  const checked = await call("/v1/check", { source, name: "policy" });
  if (!checked.ok) {
    showProblem(`${checked.json.error?.code}: ${checked.json.error?.message}`);
    return;
  }
  showDiagnostics(checked.json.diagnostics);
  if (checked.json.errors > 0) {
    $("decision").replaceChildren(element("p", { class: "none" }, "Fix the errors to evaluate."));
    document.body.dataset.state = "invalid";
    return;
  }
  let record;
  try {
    record = JSON.parse(recordText.value);
  } catch (e) {
    showProblem(`the record is not valid JSON: ${e.message}`);
    document.body.dataset.state = "bad-record";
    return;
  }
  const body = { record, source, explain: $("explain").checked };
  if ($("now").value.trim()) body.now = $("now").value.trim();
  const answer = await call("/v1/evaluate", body);
  if (!answer.ok) {
    showProblem(`${answer.status} ${answer.json.error?.code}: ${answer.json.error?.message}`);
    document.body.dataset.state = "refused";
    return;
  }
  showDecision(answer.json);
  document.body.dataset.state = "evaluated";
}

async function format() {
  showProblem("");
  const answer = await call("/v1/format", { source: policyText.value });
  if (answer.ok) {
    policyText.value = answer.json.source;
    marks = new Map();
    drawGutter();
  } else {
    showProblem(`${answer.json.error?.code}: ${answer.json.error?.message}`);
    if (answer.json.error?.diagnostics) showDiagnostics(answer.json.error.diagnostics);
  }
}

function share() {
  const params = new URLSearchParams({ source: policyText.value, record: recordText.value, now: $("now").value });
  location.hash = params.toString();
}

// ---- examples and the address fragment ----

function chooseExample(index) {
  const example = examples[index];
  if (!example) return;
  $("example").value = String(index);
  policyText.value = example.source;
  if (example.now) $("now").value = example.now;
  const records = $("record-example");
  records.replaceChildren(...example.records.map((r, i) => element("option", { value: i }, r.name)));
  recordText.value = example.records[0]?.text ?? "{}";
  marks = new Map();
  showDiagnostics([]);
  $("diagnostic-count").textContent = "";
  drawGutter();
}

$("example").addEventListener("change", (e) => chooseExample(Number(e.target.value)));
$("record-example").addEventListener("change", (e) => {
  const example = examples[Number($("example").value)];
  recordText.value = example?.records[Number(e.target.value)]?.text ?? "{}";
});
$("evaluate").addEventListener("click", evaluate);
$("format").addEventListener("click", format);
$("share").addEventListener("click", share);
$("clock").addEventListener("click", () => {
  $("now").value = new Date().toISOString().replace(/\.\d+Z$/, "Z");
});

async function start() {
  const answer = await fetch("/playground/examples.json");
  examples = (await answer.json()).examples;
  $("example").replaceChildren(...examples.map((e, i) => element("option", { value: i }, e.file)));
  chooseExample(0);
  // A shared link: `#source=…&record=…&now=…`, or `#example=retail.policy`; `&evaluate`
  // presses Evaluate once the page is ready.
  const params = new URLSearchParams(location.hash.slice(1));
  const named = examples.findIndex((e) => e.file === params.get("example"));
  if (named >= 0) chooseExample(named);
  if (params.has("source")) policyText.value = params.get("source");
  if (params.has("record")) recordText.value = params.get("record");
  if (params.has("now")) $("now").value = params.get("now");
  drawGutter();
  document.body.dataset.state = "ready";
  if (params.has("evaluate")) $("evaluate").click();
}

start().catch((e) => showProblem(`the playground could not start: ${e}`));
