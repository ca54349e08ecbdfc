//! Documentation routes (api.md §2.16): OpenAPI JSON/YAML, the docs page, llms.txt.

use crate::state::Shared;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.docs.openapi_json.clone(),
    )
        .into_response()
}

/// `GET /api/v1/openapi.yaml`.
pub async fn openapi_yaml(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/yaml; charset=utf-8")],
        state.docs.openapi_yaml.clone(),
    )
        .into_response()
}

/// `GET /llms.txt`.
pub async fn llms(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.docs.llms.clone(),
    )
        .into_response()
}

/// `GET /llms-full.txt`.
pub async fn llms_full(State(state): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.docs.llms_full.clone(),
    )
        .into_response()
}

/// `GET /api/docs`: the API reference page.
pub async fn docs_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        crate::docs::DOCS_HTML,
    )
        .into_response()
}
