//! The HTTP surface: routes, the JSON error shape, the token check and the limits.
//!
//! Every answer that is not a success is `{"error": {"code", "message"}}` with a status
//! from the request's fault (400, 401, 404, 405, 413, 415, 422) or the service's bound
//! (503 when a request runs out of time): handlers return `Result<_, ApiError>`, and one
//! middleware turns the framework's own plain-text rejections into the same shape.
//!
//! `/v1/evaluate` and its batch form first try to read each record straight from the body
//! (`straight`); whatever that reader leaves, and every error, goes the way it always went:
//! the body parsed into JSON values, the owned decision printed through a `Value`.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use service_policy::diagnostic::JsonDiagnostic;
use service_policy::testing::json_kind;
use service_policy::{Decision, EvalOptions, Explain, Policy};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::Options;
use super::metrics::Metrics;
use super::playground;
use super::store::{Loaded, SelectError, Store};
use super::straight::{self, BATCH_DEPTH, EVALUATE_DEPTH};

/// Everything a handler can reach.
#[derive(Clone, Debug)]
pub(super) struct AppState {
    pub store: Arc<Store>,
    pub metrics: Arc<Metrics>,
    pub token: Option<Arc<Token>>,
    /// `--as-of FIELD`: judge each record by the versions in force at that field's instant.
    pub as_of: Option<String>,
    /// How `/v1/evaluate` bodies are read.
    pub read: Read,
}

/// How `/v1/evaluate` and `/v1/evaluate/batch` read their bodies. The answers are the same
/// byte for byte either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Read {
    /// Each record's text is taken out of the body and, when one policy decides every
    /// record, read straight into that policy's slots (see `straight`).
    Straight,
    /// The whole body is parsed into JSON values first (`SERVICE_POLICY_READ_IN_FULL`).
    InFull,
}

/// The expected bearer token, kept as its SHA-256 so that comparing takes the same time
/// whatever the length or content of the token offered.
#[derive(Debug)]
pub(super) struct Token([u8; 32]);

impl Token {
    pub fn new(token: &str) -> Token {
        Token(Sha256::digest(token.as_bytes()).into())
    }

    fn matches(&self, offered: &str) -> bool {
        let offered: [u8; 32] = Sha256::digest(offered.as_bytes()).into();
        self.0.ct_eq(&offered).into()
    }
}

/// An error answer: a status and a stable code, with diagnostics for an invalid policy.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    diagnostics: Option<Vec<JsonDiagnostic>>,
}

/// The error code of a response, for the metrics.
#[derive(Clone, Copy, Debug)]
struct ErrorCode(&'static str);

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            diagnostics: None,
        }
    }

    fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
}

impl From<SelectError> for ApiError {
    fn from(e: SelectError) -> ApiError {
        ApiError::unprocessable(select_code(&e), e.to_string())
    }
}

/// The error code of a record no policy could be picked for.
fn select_code(e: &SelectError) -> &'static str {
    use service_policy::SelectError as Set;
    match e {
        SelectError::Unknown(_) => "unknown_policy",
        SelectError::NotInForce(..) | SelectError::Set(Set::NotInForce { .. }) => "not_in_force",
        SelectError::Set(Set::Ambiguous(_)) => "policy_required",
        SelectError::Set(Set::NoPolicy(_)) => "no_policy",
        SelectError::Set(Set::AsOf { .. }) => "invalid_as_of",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let (Some(diagnostics), Some(object)) = (self.diagnostics, error.as_object_mut()) {
            object.insert("diagnostics".into(), json!(diagnostics));
        }
        let mut response = (self.status, json_body(&json!({ "error": error }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(ErrorCode(self.code));
        response
    }
}

/// A JSON answer, pretty-printed with a final newline as `service-policy eval` prints.
struct JsonText(String);

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

fn json_body(value: &Value) -> JsonText {
    // Printing a `Value` cannot fail: its keys are text.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    JsonText(text)
}

/// The routes, with the token check on `/v1` and the limits around everything.
pub(super) fn router(state: AppState, options: &Options) -> Router {
    let v1 = Router::new()
        .route("/v1/evaluate", post(evaluate))
        .route("/v1/evaluate/batch", post(evaluate_batch))
        .route("/v1/check", post(check))
        .route("/v1/format", post(format))
        .route("/v1/policies", get(policies))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(options.max_body))
        .route_layer(from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/", get(playground::page))
        .route("/playground/app.js", get(playground::script))
        .route("/playground/examples.json", get(playground::examples))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(v1)
        .fallback(not_found)
        .layer(GlobalConcurrencyLimitLayer::new(options.max_concurrent))
        // Outside the concurrency limit, so that waiting for a turn counts towards the
        // time a request may take.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.timeout,
        ))
        // Outside the timeout, so that its answer is made JSON too.
        .layer(from_fn(json_errors))
        .layer(from_fn_with_state(state.clone(), count))
        .with_state(state)
}

/// Counts every request in the metrics, whatever became of it.
async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("other", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    let code = response.extensions().get::<ErrorCode>().map(|c| c.0);
    state.metrics.request(
        &endpoint,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
        code,
    );
    response
}

/// Turns the framework's error answers (unknown route, wrong method, body over the limit,
/// timeout) into the JSON error shape.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<ErrorCode>().is_some()
    {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this endpoint does not take that method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "the request body is over the limit"),
        StatusCode::SERVICE_UNAVAILABLE => {
            ("timeout", "the request took longer than the service allows")
        }
        _ => ("bad_request", "the request could not be served"),
    };
    ApiError::new(status, code, message).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(token) = &state.token {
        let offered = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match offered {
            None => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "missing_token",
                    "this service needs `Authorization: Bearer <token>`",
                ));
            }
            Some(offered) if !token.matches(offered.trim()) => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "the bearer token is not the one this service expects",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(next.run(request).await)
}

/// Reads a JSON request body: 415 unless the content type is JSON, 413 over the limit,
/// 400 when it is not JSON, 422 when it is JSON of the wrong shape.
fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    parse_json(&read_body(headers, body)?)
}

/// A request's body, when its content type is JSON and it arrived whole (415, 413, 400).
fn read_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            if content_type.is_empty() {
                "send the body as `Content-Type: application/json`".to_owned()
            } else {
                format!("the body is `{content_type}`; send it as `application/json`")
            },
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is over the limit",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("the request body could not be read: {rejection}"),
            )
        }
    })
}

/// Parses a JSON body: 400 when it is not JSON, 422 when it is JSON of the wrong shape.
fn parse_json<'b, T: Deserialize<'b>>(bytes: &'b [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::unprocessable("invalid_request", e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            ),
        }
    })
}

/// What `/v1/evaluate` and its batch form share: which policy, when, and how.
#[derive(Debug)]
struct Common {
    /// RFC 3339; the current time when absent.
    now: Option<String>,
    explain: bool,
    /// A loaded policy's name.
    policy: Option<String>,
    /// A policy's text to evaluate against instead of a loaded one (the playground).
    source: Option<String>,
    /// The record field whose instant picks the version in force (`--as-of`).
    as_of: Option<String>,
}

/// A `/v1/evaluate` body; `R` is how the record is read: a `Value`, or its text as sent
/// (`&RawValue`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateRequest<R = Value> {
    record: R,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    explain: bool,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// A `/v1/evaluate/batch` body, its records read as `R` (see [`EvaluateRequest`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest<R = Value> {
    records: Vec<R>,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    explain: bool,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceRequest {
    source: String,
    /// The file name shown in diagnostics.
    #[serde(default)]
    name: Option<String>,
}

impl Common {
    fn options(&self) -> Result<EvalOptions, ApiError> {
        let now = match &self.now {
            None => jiff::Timestamp::now(),
            Some(text) => text.parse().map_err(|e| {
                ApiError::unprocessable(
                    "invalid_now",
                    format!("`now` is not an RFC 3339 instant like `2026-03-02T10:00:00Z`: {e}"),
                )
            })?,
        };
        Ok(EvalOptions {
            explain: if self.explain {
                Explain::On
            } else {
                Explain::Off
            },
            as_of_field: self.as_of.clone(),
            ..EvalOptions::at(now)
        })
    }

    /// The policy the request names, or gives as text.
    fn target(&self, state: &AppState) -> Result<Target, ApiError> {
        if let Some(source) = &self.source {
            if self.policy.is_some() {
                return Err(ApiError::unprocessable(
                    "invalid_request",
                    "give either `policy` or `source`, not both",
                ));
            }
            let policy = Policy::parse_named("<request>", source).map_err(|diagnostics| {
                let mut error = ApiError::unprocessable(
                    "invalid_policy",
                    format!("the policy has {} error(s)", diagnostics.errors().count()),
                );
                error.diagnostics = Some(diagnostics.to_json());
                error
            })?;
            return Ok(Target::Source(Box::new(policy)));
        }
        let loaded = state.store.current();
        // A name no loaded policy has is the request's fault as a whole, batch or not.
        if let Some(name) = &self.policy
            && !loaded.has(name)
        {
            return Err(SelectError::Unknown(name.clone()).into());
        }
        Ok(Target::Loaded(loaded, self.policy.clone()))
    }
}

/// What a request evaluates against. A loaded version is held for the whole request, so
/// a reload meanwhile never mixes two versions in one answer.
enum Target {
    Source(Box<Policy>),
    Loaded(Arc<Loaded>, Option<String>),
}

impl Target {
    fn evaluate(&self, record: &Value, options: &EvalOptions) -> Result<Decision, SelectError> {
        match self {
            Target::Source(policy) => Ok(policy.evaluate(record, options)),
            Target::Loaded(loaded, name) => loaded.evaluate(name.as_deref(), record, options),
        }
    }

    /// The policy that decides every record of the request, when that does not depend on
    /// the record (see [`Loaded::sole`]).
    fn sole(&self, options: &EvalOptions) -> Option<&Policy> {
        match self {
            Target::Source(policy) => Some(policy),
            Target::Loaded(loaded, name) => loaded.sole(name.as_deref(), options),
        }
    }
}

fn record_must_be_an_object(record: &Value, what: &str) -> Result<(), ApiError> {
    if record.is_object() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "record_not_object",
            format!("{what} must be a JSON object, found {}", json_kind(record)),
        ))
    }
}

async fn evaluate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, ApiError> {
    let bytes = read_body(&headers, body)?;
    if state.read == Read::Straight
        && let Some(answer) = evaluate_raw(&state, &bytes)
    {
        return answer;
    }
    let request: EvaluateRequest = parse_json(&bytes)?;
    let (common, record) = request.split(&state);
    record_must_be_an_object(&record, "`record`")?;
    let options = common.options()?;
    let target = common.target(&state)?;
    state.metrics.records(0, 1);
    evaluate_value(&record, &options, &target)
}

/// `/v1/evaluate` with the record taken out of the body as text: read straight when it can
/// be, else parsed from its text. `None` when the body must be parsed whole, which is also
/// how every error is answered (see `straight`).
fn evaluate_raw(state: &AppState, bytes: &[u8]) -> Option<Result<JsonText, ApiError>> {
    let request: EvaluateRequest<&RawValue> = serde_json::from_slice(bytes).ok()?;
    let (common, record) = request.split(state);
    // Their errors come after the record's own: the full reader answers them.
    let options = common.options().ok()?;
    let target = common.target(state).ok()?;
    if let Some(policy) = straight::policy_for(target.sole(&options), &options) {
        let mut compact = String::with_capacity(1024);
        let read = straight::with_buffer(|buffer| {
            straight::decide(
                policy,
                record,
                EVALUATE_DEPTH,
                &options,
                buffer,
                &mut compact,
            )
        });
        let mut text = String::with_capacity(compact.len() * 2);
        if read && straight::pretty(&compact, &mut text) {
            text.push('\n');
            state.metrics.records(1, 0);
            return Some(Ok(JsonText(text)));
        }
    }
    let record = parse_record(record, EVALUATE_DEPTH)?;
    if let Err(e) = record_must_be_an_object(&record, "`record`") {
        return Some(Err(e));
    }
    state.metrics.records(0, 1);
    Some(evaluate_value(&record, &options, &target))
}

/// A record's text parsed into a value, as the body's parser would have read it there;
/// `None` when it would have refused it (it then names the problem).
fn parse_record(record: &RawValue, depth: usize) -> Option<Value> {
    let text = record.get();
    if !straight::nests_within(text, depth) {
        return None;
    }
    serde_json::from_str(text).ok()
}

impl<R> EvaluateRequest<R> {
    fn split(self, state: &AppState) -> (Common, R) {
        let common = Common {
            now: self.now,
            explain: self.explain,
            policy: self.policy,
            source: self.source,
            as_of: state.as_of.clone(),
        };
        (common, self.record)
    }
}

impl<R> BatchRequest<R> {
    fn split(self, state: &AppState) -> (Common, Vec<R>) {
        let common = Common {
            now: self.now,
            explain: self.explain,
            policy: self.policy,
            source: self.source,
            as_of: state.as_of.clone(),
        };
        (common, self.records)
    }
}

/// The decision on a parsed record (an object), or why there is none.
fn evaluate_value(
    record: &Value,
    options: &EvalOptions,
    target: &Target,
) -> Result<JsonText, ApiError> {
    let decision = target.evaluate(record, options)?;
    // Through a `Value`, exactly as `service-policy eval` prints, so both give the same bytes.
    let value = serde_json::to_value(&decision)
        .map_err(|e| ApiError::unprocessable("unprintable_decision", e.to_string()))?;
    Ok(json_body(&value))
}

async fn evaluate_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, ApiError> {
    let bytes = read_body(&headers, body)?;
    if state.read == Read::Straight
        && let Some(answer) = evaluate_batch_raw(&state, &bytes)
    {
        return answer;
    }
    let request: BatchRequest = parse_json(&bytes)?;
    let (common, records) = request.split(&state);
    let options = common.options()?;
    let target = common.target(&state)?;
    state.metrics.records(0, records.len());
    Ok(batch_answer(&records, &options, &target))
}

/// `/v1/evaluate/batch` with each record taken out of the body as text (see
/// [`evaluate_raw`]).
fn evaluate_batch_raw(state: &AppState, bytes: &[u8]) -> Option<Result<JsonText, ApiError>> {
    let request: BatchRequest<&RawValue> = serde_json::from_slice(bytes).ok()?;
    let (common, records) = request.split(state);
    let options = common.options().ok()?;
    let target = common.target(state).ok()?;
    let Some(policy) = straight::policy_for(target.sole(&options), &options) else {
        let records = records
            .iter()
            .map(|record| parse_record(record, BATCH_DEPTH))
            .collect::<Option<Vec<Value>>>()?;
        state.metrics.records(0, records.len());
        return Some(Ok(batch_answer(&records, &options, &target)));
    };
    // `{"decisions":[…]}`, compact, each record's entry written where it comes.
    let mut compact = String::with_capacity(records.len().saturating_mul(1024).min(1 << 20));
    compact.push_str("{\"decisions\":[");
    let (mut read, mut parsed) = (0usize, 0usize);
    let written = straight::with_buffer(|buffer| {
        for (index, record) in records.iter().enumerate() {
            if index > 0 {
                compact.push(',');
            }
            if straight::decide(policy, record, BATCH_DEPTH, &options, buffer, &mut compact) {
                read += 1;
                continue;
            }
            let record = parse_record(record, BATCH_DEPTH)?;
            let entry = batch_entry(index, &record, &options, &target);
            compact.push_str(&serde_json::to_string(&entry).ok()?);
            parsed += 1;
        }
        Some(())
    });
    written?;
    compact.push_str("]}");
    let mut text = String::with_capacity(compact.len() * 2);
    if !straight::pretty(&compact, &mut text) {
        return None;
    }
    text.push('\n');
    state.metrics.records(read, parsed);
    Some(Ok(JsonText(text)))
}

/// `{"decisions": […]}`: each record's decision or error entry, in order.
fn batch_answer(records: &[Value], options: &EvalOptions, target: &Target) -> JsonText {
    let decisions: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(index, record)| batch_entry(index, record, options, target))
        .collect();
    json_body(&json!({ "decisions": decisions }))
}

/// One record's entry in a batch answer: its decision, or an error entry.
fn batch_entry(index: usize, record: &Value, options: &EvalOptions, target: &Target) -> Value {
    if !record.is_object() {
        return error_entry(
            "record_not_object",
            &format!(
                "record {index} must be a JSON object, found {}",
                json_kind(record)
            ),
        );
    }
    match target.evaluate(record, options) {
        Ok(decision) => serde_json::to_value(decision)
            .unwrap_or_else(|e| error_entry("unprintable_decision", &e.to_string())),
        Err(e) => error_entry(select_code(&e), &e.to_string()),
    }
}

fn error_entry(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message } })
}

async fn check(
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, ApiError> {
    let request: SourceRequest = read_json(&headers, body)?;
    let name = request.name.as_deref().unwrap_or("<request>");
    let diagnostics = service_policy::check_source(name, &request.source);
    Ok(json_body(&json!({
        "errors": diagnostics.errors().count(),
        "warnings": diagnostics.warnings().count(),
        "diagnostics": diagnostics.to_json(),
    })))
}

async fn format(
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, ApiError> {
    let request: SourceRequest = read_json(&headers, body)?;
    match service_policy::format(&request.source) {
        Ok(source) => Ok(json_body(&json!({
            "source": source,
            "changed": source != request.source,
        }))),
        Err(diagnostics) => {
            let mut error = ApiError::unprocessable(
                "invalid_policy",
                "the policy does not parse, so it cannot be formatted",
            );
            error.diagnostics = Some(diagnostics.to_json());
            Err(error)
        }
    }
}

async fn policies(State(state): State<AppState>) -> JsonText {
    let loaded = state.store.current();
    let loaded_at = loaded
        .loaded_at
        .round(jiff::Unit::Second)
        .unwrap_or(loaded.loaded_at)
        .to_string();
    let policies: Vec<Value> = loaded
        .entries()
        .map(|entry| {
            json!({
                "name": entry.policy.name(),
                "version": entry.policy.version(),
                "effective": entry.policy.effective().map(|d| d.to_string()),
                "file": entry.policy.source_name(),
                "hash": format!("sha256:{}", entry.hash),
                "loaded_at": loaded_at,
            })
        })
        .collect();
    json_body(&json!({
        "policies": policies,
        "reload_error": state.store.failure(),
    }))
}

async fn healthz() -> JsonText {
    json_body(&json!({ "status": "ok" }))
}

async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            )],
            Body::from(text),
        )
            .into_response(),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics_unavailable",
            "the metrics could not be printed",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_itself() {
        let token = Token::new("s3cret");
        assert!(token.matches("s3cret"));
        assert!(!token.matches("s3cre"));
        assert!(!token.matches("s3cret "));
        assert!(!token.matches(""));
    }

    #[test]
    fn json_content_types_are_recognised_and_others_refused() {
        let mut headers = HeaderMap::new();
        let body = || Ok(Bytes::from_static(b"{\"source\": \"x\"}"));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(read_json::<SourceRequest>(&headers, body()).is_ok());
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        assert!(read_json::<SourceRequest>(&headers, body()).is_ok());
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let err = read_json::<SourceRequest>(&headers, body()).unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_422() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let err = read_json::<SourceRequest>(&headers, Ok(Bytes::from_static(b"{\"source\": ")))
            .unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::BAD_REQUEST, "invalid_json")
        );
        let err = read_json::<SourceRequest>(&headers, Ok(Bytes::from_static(b"{\"source\": 3}")))
            .unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
        );
    }
}

/// The straight reader against the full one, through the router: the same request gives
/// the same status, headers and bytes, whether it is read straight, partly, or not at all.
#[cfg(test)]
mod straight_tests {
    use std::path::Path;
    use std::time::Duration;

    use axum::http::Request as HttpRequest;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use tower::ServiceExt as _;

    use super::*;

    /// A sole policy whose guards compile to slots of every kind the scanner reads.
    const TRIAGE: &str = r#"policy "Triage" {
  version "2026.1"
  record {
    priority: "low" | "normal" | "urgent"
    amount: number?
    tags: list<text>?
    customer.tier: "standard" | "gold"
    vip: bool?
    channel: text?
  }
  rule urgent "Urgent tickets go up" { when priority == "urgent" then escalate to "supervisor" }
  rule big { when amount > 100 then tag "big" }
  rule gold { when customer.tier == "gold" and channel != "email" then tag "gold" }
  rule vip { when tags contains "vip" then notify "account-manager" }
  rule flagged { when vip then tag "vip \"flagged\"" }
  first of {
    rule odd { when amount * 2 - 1 >= 199 then compensate 5 EUR with { reason: "over 100" } }
    rule low { when priority == "low" then tag "low" }
  }
}
"#;

    /// A second family, dated, so that a set of both needs a name.
    const OTHER: &str = r#"policy "Other" {
  version "2027"
  effective 2027-01-01
  record { priority: text }
  rule any { when priority == "urgent" then tag "other" }
}
"#;

    const NOW: &str = "2026-03-02T10:00:00Z";

    fn state(files: &[(&str, &str)], read: Read, dir: &Path) -> AppState {
        let sub = dir.join(format!("set{}", files.len()));
        std::fs::create_dir_all(&sub).unwrap();
        for (name, text) in files {
            std::fs::write(sub.join(name), text).unwrap();
        }
        let loaded = super::super::store::load(&[sub]).unwrap();
        AppState {
            store: Arc::new(Store::new(loaded)),
            metrics: Arc::new(Metrics::new()),
            token: None,
            as_of: None,
            read,
        }
    }

    fn options() -> super::super::Options {
        super::super::Options {
            paths: Vec::new(),
            addr: "127.0.0.1:0".parse().unwrap(),
            watch: false,
            token_file: None,
            max_body: 1 << 20,
            timeout: Duration::from_secs(60),
            max_concurrent: 8,
            as_of: None,
        }
    }

    /// A server of either reader, to ask the same request.
    struct Pair {
        runtime: tokio::runtime::Runtime,
        straight: (AppState, Router),
        in_full: (AppState, Router),
    }

    impl Pair {
        fn new(files: &[(&str, &str)], dir: &Path) -> Pair {
            let make = |read| {
                let state = state(files, read, dir);
                let router = router(state.clone(), &options());
                (state, router)
            };
            Pair {
                runtime: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap(),
                straight: make(Read::Straight),
                in_full: make(Read::InFull),
            }
        }

        fn ask(&self, router: &Router, path: &str, body: &str) -> (u16, String, String) {
            let request = HttpRequest::post(path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap();
            self.runtime.block_on(async {
                let response = router.clone().oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let kind = response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
            })
        }

        /// Asks both; their answers, which must agree.
        fn agree(&self, path: &str, body: &str) -> Result<(u16, String), TestCaseError> {
            let straight = self.ask(&self.straight.1, path, body);
            let in_full = self.ask(&self.in_full.1, path, body);
            prop_assert_eq!(&straight, &in_full, "body: {}", body);
            Ok((straight.0, straight.2))
        }

        /// Records read straight and in full by the straight server so far.
        fn counts(&self) -> (u64, u64) {
            let text = self.straight.0.metrics.encode().unwrap();
            let count = |read: &str| {
                let prefix = format!("service_policy_records_total{{read=\"{read}\"}} ");
                text.lines()
                    .find_map(|line| line.strip_prefix(&prefix))
                    .map_or(0, |n| n.parse().unwrap())
            };
            (count("straight"), count("in_full"))
        }
    }

    /// Some JSON text for a field: what the policy expects, spelled every way JSON allows,
    /// and what it does not expect.
    fn field_value(key: &'static str) -> BoxedStrategy<String> {
        prop::sample::select(field_texts(key).to_vec())
            .prop_map(str::to_owned)
            .boxed()
    }

    /// The texts [`field_value`] picks from.
    fn field_texts(key: &str) -> &'static [&'static str] {
        match key {
            "priority" => &[
                r#""urgent""#,
                r#""urg\u0065nt""#,
                r#""low""#,
                r#""normal""#,
                r#""Urgent""#,
                r#""""#,
                "1",
                "null",
                r#"["urgent"]"#,
                r#"{"a": 1}"#,
            ],
            "amount" => &[
                "100",
                "101",
                "-0",
                "0",
                "1e2",
                "1E+2",
                "100.5",
                "1.005e2",
                "-1e-7",
                "99999999999999999999",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "18446744073709551616",
                "1e400",
                "1e-400",
                "0e-400",
                "1e300",
                r#""100""#,
                "null",
                "true",
            ],
            "tags" => &[
                r#"["vip"]"#,
                r#"["v\u0069p", "x"]"#,
                "[]",
                r#"["a", "b", "vip"]"#,
                r#""vip""#,
                r#"[1, "vip"]"#,
                r#"[["vip"]]"#,
                "null",
            ],
            "customer" => &[
                r#"{"tier": "gold"}"#,
                r#"{"tier": "standard", "since": 2019}"#,
                r#"{"tier": "gold", "tier": "standard"}"#,
                r#"{"t\u0069er": "gold"}"#,
                r#"{"tier": "platinum"}"#,
                r#""gold""#,
                "{}",
                "null",
            ],
            "customer.tier" => &[r#""gold""#, r#""standard""#],
            "vip" => &["true", "false", "null", "1", r#""true""#],
            "channel" => &[
                r#""email""#,
                r#""chat""#,
                r#""\u0065mail""#,
                r#""e\\mail""#,
                r#""ch\"at""#,
                "null",
                "7",
            ],
            _ => &[
                r#""a \"quoted\" \\ text \u2028 é 😀""#,
                "[[[[{\"x\": []}]]]]",
                r#"{"k": {"k": {"k": 1.5e-3}}}"#,
                r#""\ud800""#,
                r#""\ud83d\ude00""#,
                "-0.0",
                "[1, 2, 3,]",
                "tru",
            ],
        }
    }

    /// A value the policy expects for each of its fields.
    fn good_value(key: &'static str) -> BoxedStrategy<String> {
        let texts: &[&str] = match key {
            "priority" => &[r#""urgent""#, r#""low""#, r#""normal""#],
            "amount" => &["100", "101", "0", "250", "-5", "99"],
            "tags" => &[r#"["vip"]"#, "[]", r#"["a", "b"]"#],
            "customer" => &[r#"{"tier": "gold"}"#, r#"{"tier": "standard"}"#],
            "vip" => &["true", "false"],
            _ => &[r#""email""#, r#""chat""#],
        };
        prop::sample::select(texts.to_vec())
            .prop_map(str::to_owned)
            .boxed()
    }

    /// A record's JSON text: the policy's fields, each there most of the time with a value
    /// it expects, and a few more entries that repeat a key, spell it with an escape, or
    /// hold what JSON allows but the policy does not expect; in any order, now and then
    /// nesting near serde_json's limit, or no object at all.
    fn record_text() -> impl Strategy<Value = String> {
        let fields = ["priority", "amount", "tags", "customer", "vip", "channel"];
        let good = fields
            .map(|key| prop::option::weighted(0.9, good_value(key).prop_map(move |v| (key, v))));
        let key = prop::sample::select(vec![
            "priority",
            "amount",
            "amount",
            "tags",
            "customer",
            "customer.tier",
            "vip",
            "channel",
            "note",
            "\\u0070riority",
        ]);
        let noise = key.prop_flat_map(|key| {
            let value_key = if key == "\\u0070riority" {
                "priority"
            } else {
                key
            };
            (Just(key), field_value(value_key))
        });
        let object = (
            good,
            prop_oneof![2 => Just(0..1), 1 => Just(1..3)]
                .prop_flat_map(move |count| prop::collection::vec(noise.clone(), count)),
            prop::sample::select(vec!["", " ", "\n  "]),
        )
            .prop_flat_map(|(good, noise, space)| {
                let entries: Vec<(&str, String)> =
                    good.into_iter().flatten().chain(noise).collect();
                (Just(entries).prop_shuffle(), Just(space))
            })
            .prop_map(|(entries, space)| {
                let fields: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{space}\"{k}\":{space}{v}"))
                    .collect();
                format!("{{{}{space}}}", fields.join(","))
            });
        prop_oneof![
            12 => object,
            1 => prop::sample::select(vec!["[1]", "\"x\"", "7", "null", "[]"])
                .prop_map(str::to_owned),
            1 => (123..=128usize).prop_map(|depth| {
                format!(
                    "{{\"priority\": \"urgent\", \"amount\": 1, \"tags\": [], \"customer\": {{\"tier\": \"gold\"}}, \"vip\": true, \"channel\": \"chat\", \"deep\": {}{}}}",
                    "[".repeat(depth - 1),
                    "]".repeat(depth - 1)
                )
            }),
        ]
    }

    /// The other members of a body: `now`, `explain`, `policy`, `source`, a stray field.
    fn members() -> impl Strategy<Value = String> {
        let now = prop_oneof![
            4 => Just(format!(", \"now\": \"{NOW}\"")),
            // Never absent: the two servers' clocks would differ.
            1 => Just(", \"now\": \"2026-03-02T10:00:00.999+01:00\"".to_owned()),
            1 => Just(", \"now\": \"yesterday\"".to_owned()),
            1 => Just(", \"now\": 7".to_owned()),
        ];
        let explain = prop_oneof![
            4 => Just(""),
            1 => Just(", \"explain\": true"),
            1 => Just(", \"explain\": false"),
        ];
        let target = prop_oneof![
            3 => Just(String::new()),
            3 => Just(", \"policy\": \"Triage\"".to_owned()),
            2 => Just(format!(", \"source\": {}", serde_json::to_string(TRIAGE).unwrap_or_default())),
            1 => Just(", \"policy\": \"Other\"".to_owned()),
            1 => Just(", \"policy\": \"Nobody\"".to_owned()),
            1 => Just(", \"source\": \"policy {\"".to_owned()),
            1 => Just(", \"stray\": 1".to_owned()),
        ];
        (now, explain, target).prop_map(|(now, explain, target)| format!("{now}{explain}{target}"))
    }

    /// A body cut short or with a byte changed, now and then.
    fn mangle(body: String, cut: Option<(usize, u8)>) -> String {
        match cut {
            None => body,
            Some((at, byte)) => {
                let mut bytes = body.into_bytes();
                let at = at % bytes.len();
                if byte % 2 == 0 {
                    bytes.truncate(at);
                } else {
                    let junk = b"{}[],:\"\\0";
                    bytes[at] = junk[usize::from(byte) % junk.len()];
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
    }

    fn cut() -> impl Strategy<Value = Option<(usize, u8)>> {
        prop::option::weighted(0.1, (any::<usize>(), any::<u8>()))
    }

    fn run(pair: &Pair, strategy: impl Strategy<Value = (String, String)>) {
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strategy, |(path, body)| {
                pair.agree(&path, &body).map(|_| ())
            })
            .unwrap();
    }

    #[test]
    fn evaluate_answers_the_same_bytes_read_straight_or_in_full() {
        let dir = tempfile::tempdir().unwrap();
        for files in [
            vec![("triage.policy", TRIAGE)],
            vec![("triage.policy", TRIAGE), ("other.policy", OTHER)],
        ] {
            let pair = Pair::new(&files, dir.path());
            let one = (record_text(), members(), cut()).prop_map(|(record, members, cut)| {
                let body = format!("{{\"record\": {record}{members}}}");
                ("/v1/evaluate".to_owned(), mangle(body, cut))
            });
            run(&pair, one);
            let (straight, in_full) = pair.counts();
            // Both readers were exercised: what the generated requests hold keeps neither
            // from being taken (some 30 to 80 of each are expected).
            assert!(straight > 10, "read straight: {straight}");
            assert!(in_full > 10, "read in full: {in_full}");
        }
    }

    #[test]
    fn batches_answer_the_same_bytes_read_straight_or_in_full() {
        let dir = tempfile::tempdir().unwrap();
        for files in [
            vec![("triage.policy", TRIAGE)],
            vec![("triage.policy", TRIAGE), ("other.policy", OTHER)],
        ] {
            let pair = Pair::new(&files, dir.path());
            let batch = (prop::collection::vec(record_text(), 0..6), members(), cut()).prop_map(
                |(records, members, cut)| {
                    let body = format!("{{\"records\": [{}]{members}}}", records.join(", "));
                    ("/v1/evaluate/batch".to_owned(), mangle(body, cut))
                },
            );
            run(&pair, batch);
            let (straight, in_full) = pair.counts();
            assert!(straight > 10, "read straight: {straight}");
            assert!(in_full > 10, "read in full: {in_full}");
        }
    }

    #[test]
    fn the_straight_reader_answers_a_plain_record_and_leaves_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let pair = Pair::new(&[("triage.policy", TRIAGE)], dir.path());
        let body = |record: &str, more: &str| {
            format!("{{\"record\": {record}, \"now\": \"{NOW}\"{more}}}")
        };
        let plain = r#"{"priority": "urgent", "amount": 250, "customer": {"tier": "gold"}, "tags": ["vip"], "vip": true, "channel": "chat"}"#;
        let (status, text) = pair.agree("/v1/evaluate", &body(plain, "")).unwrap();
        assert_eq!(status, 200, "{text}");
        assert!(
            text.ends_with("}\n") && text.contains("\n  \"actions\": ["),
            "{text}"
        );
        assert_eq!(pair.counts(), (1, 0));
        // Explain on, a key given twice, a key with an escape: parsed in full.
        for (record, more) in [
            (plain, ", \"explain\": true"),
            (r#"{"priority": "low", "priority": "urgent"}"#, ""),
            (r#"{"\u0070riority": "urgent"}"#, ""),
        ] {
            let (status, text) = pair.agree("/v1/evaluate", &body(record, more)).unwrap();
            assert_eq!(status, 200, "{text}");
            assert!(text.contains("\"urgent\""), "{text}");
        }
        assert_eq!(pair.counts(), (1, 3));
        // A batch of both kinds, with an error entry between.
        let batch = format!(
            "{{\"records\": [{plain}, 7, {{\"priority\": \"low\", \"priority\": \"urgent\"}}], \"now\": \"{NOW}\"}}"
        );
        let (status, text) = pair.agree("/v1/evaluate/batch", &batch).unwrap();
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("\"record_not_object\""), "{text}");
        assert_eq!(pair.counts(), (2, 5));
    }

    /// Every spelling of the field values the generator knows, one at a time in an otherwise
    /// plain record, and nesting on either side of serde_json's limit: the same answers.
    #[test]
    fn each_awkward_value_and_depth_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let pair = Pair::new(&[("triage.policy", TRIAGE)], dir.path());
        let plain = [
            ("priority", "\"urgent\""),
            ("amount", "250"),
            ("tags", "[\"vip\"]"),
            ("customer", "{\"tier\": \"gold\"}"),
            ("vip", "true"),
            ("channel", "\"chat\""),
        ];
        // The plain record with `key` holding `with`: in its place, or last when the
        // policy does not read it.
        let record = |key: &str, with: &str| {
            let mut fields: Vec<String> = plain
                .iter()
                .map(|(k, v)| format!("\"{k}\": {}", if *k == key { with } else { v }))
                .collect();
            if !key.is_empty() && plain.iter().all(|(k, _)| *k != key) {
                fields.push(format!("\"{key}\": {with}"));
            }
            format!("{{{}}}", fields.join(", "))
        };
        for key in [
            "priority", "amount", "tags", "customer", "vip", "channel", "note",
        ] {
            for value in field_texts(key) {
                let one = format!("{{\"record\": {}, \"now\": \"{NOW}\"}}", record(key, value));
                pair.agree("/v1/evaluate", &one).unwrap();
                let two = format!(
                    "{{\"records\": [{}, {}], \"now\": \"{NOW}\"}}",
                    record(key, value),
                    record("", "")
                );
                pair.agree("/v1/evaluate/batch", &two).unwrap();
            }
        }
        // Many of them were read straight (escapes in texts the policy reads, extra keys
        // of every kind), so both readers were compared.
        let (straight, in_full) = pair.counts();
        assert!(
            straight >= 30 && in_full >= 30,
            "{straight} straight, {in_full} in full"
        );
        let deep = |levels: usize| {
            let mut text = record("", "");
            text.pop();
            format!(
                "{text}, \"deep\": {}{}}}",
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        // The record's object is level 1 of its own nesting.
        for (levels, status) in [(124, 200), (125, 200), (126, 400)] {
            let body = format!("{{\"record\": {}, \"now\": \"{NOW}\"}}", deep(levels));
            let (got, text) = pair.agree("/v1/evaluate", &body).unwrap();
            assert_eq!(got, status, "{levels}: {text}");
        }
        for (levels, status) in [(123, 200), (124, 200), (125, 400)] {
            let body = format!("{{\"records\": [{}], \"now\": \"{NOW}\"}}", deep(levels));
            let (got, text) = pair.agree("/v1/evaluate/batch", &body).unwrap();
            assert_eq!(got, status, "{levels}: {text}");
        }
    }
}
