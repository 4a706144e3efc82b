//! The gate of every `/webhooks/` route: reads the body within a size limit and checks Twilio's
//! signature before anything in it is looked at. A refusal is a 403 and a log line that names
//! the path, never the body.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::telephony::signature::{self, Algorithm, SignedRequest};

/// Twilio's webhook bodies are a few kilobytes; anything far larger is not from Twilio.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The parameters of a webhook request whose signature has been checked.
#[derive(Debug, Clone)]
pub struct Webhook {
    params: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Webhook {
    /// The first value of a form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A form parameter a well-formed request always carries.
    pub fn required(&self, name: &'static str) -> Result<&str, WebhookRefusal> {
        self.param(name)
            .filter(|value| !value.is_empty())
            .ok_or(WebhookRefusal::Missing(name))
    }

    /// A value of the query string of the URL Twilio called (our own action URLs carry state there).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the request is not signed by the provider")]
    BadSignature,
    #[error("the request body is larger than {BODY_LIMIT} bytes")]
    TooLarge,
    #[error("the request lacks {0}")]
    Missing(&'static str),
    #[error("the request's {0} is not valid")]
    Invalid(&'static str),
}

impl IntoResponse for WebhookRefusal {
    fn into_response(self) -> Response {
        let status = match self {
            WebhookRefusal::BadSignature => StatusCode::FORBIDDEN,
            WebhookRefusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookRefusal::Missing(_) | WebhookRefusal::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        (status, self.to_string()).into_response()
    }
}

impl FromRequest<AppState> for Webhook {
    type Rejection = WebhookRefusal;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_owned();
        let refuse = |refusal: WebhookRefusal| {
            tracing::warn!(%path, reason = %refusal, "refused a webhook");
            state.metrics.count(
                "hotline_webhooks_refused_total",
                "reason",
                refusal_label(&refusal),
            );
            refusal
        };
        let body: Bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| refuse(WebhookRefusal::TooLarge))?;
        let headers = &parts.headers;
        let signature_header = headers
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refuse(WebhookRefusal::BadSignature))?;
        let settings = headers
            .get("x-twilio-webhooks-signature-settings")
            .and_then(|v| v.to_str().ok());
        let algorithm = Algorithm::from_settings_header(settings)
            .ok_or_else(|| refuse(WebhookRefusal::BadSignature))?;
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or(path.as_str(), |pq| pq.as_str());
        let url = format!("{}{}", public_base(state, headers), path_and_query);
        let params: Vec<(String, String)> = if is_form(headers) {
            form_params(&body)
        } else {
            Vec::new()
        };
        let tokens: Vec<&str> = state
            .secrets
            .auth_tokens
            .iter()
            .map(String::as_str)
            .collect();
        let signed = SignedRequest {
            url: &url,
            params: &params,
            body: &body,
            signature: signature_header,
            algorithm,
        };
        if !signature::is_valid(&tokens, &signed) {
            return Err(refuse(WebhookRefusal::BadSignature));
        }
        let query = form_params(parts.uri.query().unwrap_or_default().as_bytes());
        Ok(Webhook { params, query })
    }
}

/// The name–value pairs of a form body or query string as Twilio sends them, repeated names and
/// their order kept (the signature covers every one). Reads any bytes: a broken percent escape is
/// kept as written and invalid UTF-8 becomes U+FFFD, not a refusal, since the signature check
/// decides; public so the fuzz targets (`fuzz/`) can reach it.
pub fn form_params(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn refusal_label(refusal: &WebhookRefusal) -> &'static str {
    match refusal {
        WebhookRefusal::BadSignature => "signature",
        WebhookRefusal::TooLarge => "too_large",
        WebhookRefusal::Missing(_) | WebhookRefusal::Invalid(_) => "malformed",
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The scheme and authority Twilio called: the configured public URL, or else this request's
/// Host over plain HTTP (enough for `hotline simulate` on one machine).
pub(crate) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    match &state.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}
