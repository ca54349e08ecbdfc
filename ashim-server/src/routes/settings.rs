//! Settings routes (api.md §2.6): a key/value store of strings.

use crate::error::{ApiError, ApiResult};
use crate::http::{Authorized, JsonBody};
use crate::state::Shared;
use crate::util::iso8601;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

/// Whether text holds something tag-like (`<` then a letter, `/`, `!` or `?`, ... `>`).
fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'<'
            && (w[1].is_ascii_alphabetic() || b"/!?".contains(&w[1]))
            && s[i..].contains('>')
    })
}

/// `GET /api/v1/settings`.
pub async fn all(State(state): State<Shared>, _: Authorized) -> ApiResult<Json<Value>> {
    let map: serde_json::Map<String, Value> = state
        .store
        .settings()
        .all()
        .await?
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Json(json!({"settings": map})))
}

/// `GET /api/v1/settings/{key}`.
pub async fn one(
    State(state): State<Shared>,
    _: Authorized,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    match state.store.settings().get(&key).await? {
        Some((value, at)) => Ok(Json(
            json!({"key": key, "value": value, "updatedAt": iso8601(at)}),
        )),
        None => Err(ApiError::not_found(format!("Setting \"{key}\" not found"))),
    }
}

/// `PUT /api/v1/settings`: upsert every pair of a JSON object in one transaction.
pub async fn put(
    State(state): State<Shared>,
    _: Authorized,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let Value::Object(obj) = body else {
        return Err(ApiError::bad_request(
            "Request body must be a JSON object with key-value pairs",
        ));
    };
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        let v = match v {
            Value::String(s) => s,
            Value::Number(_) | Value::Bool(_) => v.to_string(),
            Value::Array(ref items)
                if items
                    .iter()
                    .all(|x| !x.is_object() && !x.is_array() && !x.is_null()) =>
            {
                v.to_string()
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Setting \"{k}\" must be a string, number, boolean or array of those"
                )));
            }
        };
        pairs.push((k, v));
    }
    if pairs
        .iter()
        .any(|(k, v)| looks_like_html(k) || looks_like_html(v))
    {
        return Err(ApiError::bad_request("Settings must not contain HTML"));
    }
    let n = state.store.settings().put_all(pairs).await?;
    Ok(Json(json!({"ok": true, "updatedCount": n})))
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_detection() {
        assert!(super::looks_like_html("<b>x</b>"));
        assert!(super::looks_like_html("a <!-- x --> b"));
        assert!(!super::looks_like_html("a < b and c > d"));
        assert!(!super::looks_like_html("plain"));
    }
}
