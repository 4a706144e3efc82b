//! A gate in front of the fake provider: a TCP relay that can be shut, so that the server
//! meets a provider that refuses connections (nothing listens on its port) and, once the gate
//! opens again on the same port, reaches it again. It also counts the connections it let
//! through, to tell which of several servers reached the provider.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};

pub struct Gate {
    pub base: url::Url,
    port: u16,
    to: SocketAddr,
    connections: Arc<AtomicUsize>,
    relay: Option<tokio::task::JoinHandle<()>>,
}

impl Gate {
    /// An open gate to `to` (the provider's base URL) on a port of its own.
    pub async fn open_to(to: &url::Url) -> Self {
        let to = to
            .socket_addrs(|| None)
            .expect("the provider's address")
            .into_iter()
            .next()
            .expect("an address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("bound").port();
        let mut gate = Self {
            base: url::Url::parse(&format!("http://127.0.0.1:{port}")).expect("a URL"),
            port,
            to,
            connections: Arc::new(AtomicUsize::new(0)),
            relay: None,
        };
        gate.relay = Some(tokio::spawn(relay(
            listener,
            to,
            gate.connections.clone(),
        )));
        gate
    }

    /// Shuts the gate: the port stops listening and the connections through it are cut, so
    /// the next request is refused as by a provider that cannot be reached.
    pub fn shut(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }

    /// Opens it again on the same port.
    pub async fn open(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the gate's port again");
        self.relay = Some(tokio::spawn(relay(
            listener,
            self.to,
            self.connections.clone(),
        )));
    }

    /// Connections let through so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Relays each connection to `to`; dropping this task (and with it the set) cuts them all.
async fn relay(listener: TcpListener, to: SocketAddr, connections: Arc<AtomicUsize>) {
    let mut open = tokio::task::JoinSet::new();
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        connections.fetch_add(1, Ordering::SeqCst);
        open.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(to).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
        // Forget the ones that have ended, so a long run does not keep them all.
        while open.try_join_next().is_some() {}
    }
}
