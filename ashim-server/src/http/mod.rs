//! HTTP plumbing shared by every route: middleware (request id, security headers, the
//! error envelope for framework errors), the fallbacks and the extractors: [`Authorized`],
//! [`JsonBody`] and the multipart [`form::Form`].

pub mod form;

use crate::error::{ApiError, Code};
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The JSON 404 for unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::not_found("Not found")
}

/// The JSON 405 for a known path with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::of(Code::MethodNotAllowed, "Method not allowed on this route")
}

/// Turn any error the framework produced itself (plain text, e.g. a path that is not
/// valid UTF-8) into the JSON error envelope.
pub async fn ensure_envelope(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return resp;
    }
    let text = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status.as_u16() {
        400 => Code::ValidationError,
        404 => Code::NotFound,
        405 => Code::MethodNotAllowed,
        413 => Code::PayloadTooLarge,
        415 => Code::UnsupportedMediaType,
        s if s >= 500 => Code::Internal,
        _ => Code::ValidationError,
    };
    let message = if text.is_empty() || status.as_u16() >= 500 {
        status.canonical_reason().unwrap_or("Error").to_string()
    } else {
        text
    };
    ApiError::new(status.as_u16(), code, message).into_response()
}

/// Security headers on every reply (api.md §1.8), always in production mode.
pub async fn security_headers(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| state.cfg.cors_origins.iter().any(|a| a == o || a == "*"))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let preflight = req.method() == axum::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = if preflight && origin.is_some() {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, prefer"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        r
    } else {
        ensure_envelope(next.run(req).await).await
    };
    let h = resp.headers_mut();
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-job-id, x-file-results, content-disposition"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-xss-protection", HeaderValue::from_static("0"));
    h.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    let csp = if docs {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; object-src 'none'; img-src 'self' blob: data:"
    } else {
        "default-src 'self'; object-src 'none'; frame-ancestors 'none'; img-src 'self' blob: data:"
    };
    h.insert("content-security-policy", HeaderValue::from_static(csp));
    resp
}

/// The request id of the current request (`x-request-id`, set by [`request_id`]).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Give every request an id (the client's `x-request-id` when it is a short safe token,
/// else a new one), run it inside a tracing span carrying that id, log the outcome and echo
/// the id in the `x-request-id` response header.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| crate::util::valid_client_job_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| crate::util::hex(&crate::util::random_bytes::<8>()));
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("request", id = %id, %method, %path);
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    span.in_scope(|| {
        let ms = started.elapsed().as_millis() as u64;
        if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::debug!(status, ms, "request done");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// The signed-in caller, admitted by the matched route's access policy: the extractor
/// answers 401 without a caller and 403 without the route's permission.
#[derive(Debug, Clone)]
pub struct Authorized(pub crate::auth::Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        use crate::routes::Access;
        let caller = parts
            .extensions
            .get::<crate::auth::Caller>()
            .and_then(|c| c.0.clone())
            .ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
        match parts.extensions.get::<Access>() {
            Some(Access::Perm(p)) => caller.require(p)?,
            Some(Access::Public | Access::SignedIn) => {}
            None => return Err(ApiError::internal("route without an access policy")),
        }
        Ok(Authorized(caller))
    }
}

/// The caller if any (for public routes that behave differently when signed in).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<crate::auth::Principal>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(
            parts
                .extensions
                .get::<crate::auth::Caller>()
                .and_then(|c| c.0.clone()),
        ))
    }
}

/// A JSON object request body: empty is `{}`, at most 1 MiB; invalid JSON or JSON that is
/// not an object (null, array, number) is 400.
#[derive(Debug, Clone)]
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> axum::extract::FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let v = crate::auth::json_body(req).await?;
        if !v.is_object() {
            return Err(ApiError::bad_request(
                "Request body must be a JSON object with key-value pairs",
            ));
        }
        Ok(JsonBody(v))
    }
}
