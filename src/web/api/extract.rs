//! What every API request must bring: a bearer token, and a JSON body that names the field at
//! fault when it is wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use crate::web::AppState;

/// The caller of the API, as the audit log names it.
#[derive(Debug, Clone)]
pub struct Actor(pub String);

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        let hash = hex::encode(Sha256::digest(token.trim().as_bytes()));
        match state.store.api_token_name(&hash).await? {
            Some(name) => Ok(Actor(format!("token:{name}"))),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// A JSON body; a malformed one is a 422 that names the field at fault.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The API's bodies are small; anything larger is a mistake.
const BODY_LIMIT: usize = 256 * 1024;

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &AppState) -> Result<Self, ApiError> {
        let body: Bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::invalid("", format!("the body is larger than {BODY_LIMIT} bytes"))
            })?;
        let mut json = serde_json::Deserializer::from_slice(&body);
        serde_path_to_error::deserialize(&mut json)
            .map(JsonBody)
            .map_err(|error| {
                let field = error.path().to_string();
                let message = error.inner().to_string();
                ApiError::invalid(if field == "." { String::new() } else { field }, message)
            })
    }
}

/// Query parameters; a malformed one is a 422 that names it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let input = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(input)
            .map(QueryParams)
            .map_err(|error| {
                let field = error.path().to_string();
                ApiError::invalid(
                    if field == "." { String::new() } else { field },
                    error.inner().to_string(),
                )
            })
    }
}
