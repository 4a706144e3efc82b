//! A gate in front of the fake provider: a TCP relay that can be shut, so that the server
//! meets a provider that refuses connections (nothing listens on its port) and, once the gate
//! opens again on the same port, reaches it again. It also counts the texts created through
//! it (`POST` requests: the relay reads plain HTTP/1.1), to tell which of several servers
//! sent what.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Gate {
    pub base: url::Url,
    port: u16,
    to: SocketAddr,
    posts: Arc<AtomicUsize>,
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
            posts: Arc::new(AtomicUsize::new(0)),
            relay: None,
        };
        gate.relay = Some(tokio::spawn(relay(listener, to, gate.posts.clone())));
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
        self.relay = Some(tokio::spawn(relay(listener, self.to, self.posts.clone())));
    }

    /// `POST` requests let through so far: creates of texts.
    pub fn posts(&self) -> usize {
        self.posts.load(Ordering::SeqCst)
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Relays each connection to `to`; dropping this task (and with it the set) cuts them all.
async fn relay(listener: TcpListener, to: SocketAddr, posts: Arc<AtomicUsize>) {
    let mut open = tokio::task::JoinSet::new();
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        let posts = posts.clone();
        open.spawn(async move {
            let Ok(outbound) = TcpStream::connect(to).await else {
                return;
            };
            let (mut from_server, mut to_server) = inbound.into_split();
            let (mut from_provider, mut to_provider) = outbound.into_split();
            let answers = tokio::io::copy(&mut from_provider, &mut to_server);
            let requests = forward_counting(&mut from_server, &mut to_provider, &posts);
            let _ = tokio::join!(answers, requests);
        });
        // Forget the ones that have ended, so a long run does not keep them all.
        while open.try_join_next().is_some() {}
    }
}

/// Copies the server's requests on, counting the `POST /` that begin them (a form body never
/// holds one: its spaces and slashes are encoded).
async fn forward_counting(
    from: &mut (impl AsyncRead + Unpin),
    to: &mut (impl AsyncWrite + Unpin),
    posts: &AtomicUsize,
) -> std::io::Result<()> {
    const MARK: &[u8] = b"POST /";
    let mut buffer = vec![0u8; 16 * 1024];
    // The end of the chunk before, so a mark split between two reads is still seen.
    let mut carried: Vec<u8> = Vec::new();
    loop {
        let read = from.read(&mut buffer).await?;
        if read == 0 {
            return to.shutdown().await;
        }
        let mut seen = carried.clone();
        seen.extend_from_slice(&buffer[..read]);
        let marks = seen.windows(MARK.len()).filter(|w| *w == MARK).count();
        posts.fetch_add(marks, Ordering::SeqCst);
        carried = seen[seen.len().saturating_sub(MARK.len() - 1)..].to_vec();
        to.write_all(&buffer[..read]).await?;
    }
}
