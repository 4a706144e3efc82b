//! The address a sign-in failure is counted by: the connection's peer, or behind a trusted proxy
//! the client it names (`crate::web::client_address`). `ClientAddress` is the extractor for
//! signed-in forms that check a password; the sign-in form reads it from `SignedOutForm`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::web::AppState;

/// Who the request comes from, as the throttle counts them; `unknown` with no peer (a request
/// made without a socket, as in a `oneshot` test).
pub fn address(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    peer.map_or_else(
        || "unknown".to_owned(),
        |peer| state.trusted_proxies.client(peer.ip(), headers).to_string(),
    )
}

/// The client's address, for a handler that counts failed password checks.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0);
        Ok(ClientAddress(address(state, peer, &parts.headers)))
    }
}
