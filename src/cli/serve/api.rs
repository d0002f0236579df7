//! The HTTP surface: routes, the JSON error shape, the token check and the limits.
//!
//! Every answer that is not a success is `{"error": {"code", "message"}}` with a status
//! from the request's fault (400, 401, 404, 405, 413, 415, 422) or the service's bound
//! (503 when a request runs out of time): handlers return `Result<_, ApiError>`, and one
//! middleware turns the framework's own plain-text rejections into the same shape.

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
