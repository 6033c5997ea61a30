//! TCP listeners: one per component, stoppable (connection refused) and restartable on the same
//! port, serving plain HTTP/1.1 or HTTPS (rustls acceptor in front of the same hyper connection).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::component::Listener;
use crate::error::SimError;
use crate::faults::lock;

struct Slot {
    addr: SocketAddr,
    router: Router,
    handle: Option<JoinHandle<()>>,
}

/// Time a client gets to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// All listeners of the simulator.
#[derive(Default)]
pub(crate) struct Servers {
    slots: Mutex<BTreeMap<Listener, Slot>>,
    tls: Option<TlsAcceptor>,
}

async fn bind(listener: Listener, addr: SocketAddr) -> Result<TcpListener, SimError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind {
            component: listener.name(),
            addr: addr.to_string(),
            source,
        })
}

/// Serves one HTTP/1.1 connection.
async fn serve<IO>(io: IO, router: Router)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(router);
    if let Err(e) = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await
    {
        tracing::debug!(error = %e, "connection ended with error");
    }
}

/// Serves one accepted connection, after a TLS handshake when `tls` is set.
async fn connection(stream: TcpStream, router: Router, tls: Option<TlsAcceptor>) {
    let Some(acceptor) = tls else {
        return serve(stream, router).await;
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls_stream)) => serve(tls_stream, router).await,
        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

/// Accepts connections until aborted; aborting drops the listener and every open connection.
/// A failed accept or TLS handshake only ends that connection, never the loop.
async fn accept_loop(listener: TcpListener, router: Router, tls: Option<TlsAcceptor>) {
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                connections.spawn(connection(stream, router.clone(), tls.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        while connections.try_join_next().is_some() {}
    }
}

impl Servers {
    /// Listeners that serve HTTPS through `tls` (plain HTTP when `None`).
    pub(crate) fn new(tls: Option<TlsAcceptor>) -> Self {
        Self {
            slots: Mutex::default(),
            tls,
        }
    }

    /// Binds `listener` on `addr` (port 0 = free port) and serves `router`; returns the bound address.
    pub(crate) async fn add(
        &self,
        listener: Listener,
        addr: SocketAddr,
        router: Router,
    ) -> Result<SocketAddr, SimError> {
        let tcp = bind(listener, addr).await?;
        self.add_bound(listener, tcp, router)
    }

    /// Serves `router` on an already bound listener.
    pub(crate) fn add_bound(
        &self,
        listener: Listener,
        tcp: TcpListener,
        router: Router,
    ) -> Result<SocketAddr, SimError> {
        let bound = tcp.local_addr().map_err(|source| SimError::Bind {
            component: listener.name(),
            addr: "?".into(),
            source,
        })?;
        let handle = tokio::spawn(accept_loop(tcp, router.clone(), self.tls.clone()));
        lock(&self.slots).insert(
            listener,
            Slot {
                addr: bound,
                router,
                handle: Some(handle),
            },
        );
        Ok(bound)
    }

    /// Stops listening (and drops open connections). No-op when already stopped.
    pub(crate) async fn stop(&self, listener: Listener) {
        let handle = lock(&self.slots)
            .get_mut(&listener)
            .and_then(|s| s.handle.take());
        if let Some(h) = handle {
            h.abort();
            let _ = h.await;
            tracing::info!(component = %listener.name(), "stopped");
        }
    }

    /// Re-binds the same port. No-op when running.
    pub(crate) async fn start(&self, listener: Listener) -> Result<(), SimError> {
        let (addr, router) = {
            let slots = lock(&self.slots);
            match slots.get(&listener) {
                Some(s) if s.handle.is_none() => (s.addr, s.router.clone()),
                Some(_) => return Ok(()),
                None => return Err(SimError::UnknownComponent(listener.name())),
            }
        };
        let tcp = bind(listener, addr).await?;
        let handle = tokio::spawn(accept_loop(tcp, router, self.tls.clone()));
        if let Some(slot) = lock(&self.slots).get_mut(&listener) {
            slot.handle = Some(handle);
        }
        tracing::info!(component = %listener.name(), %addr, "started");
        Ok(())
    }

    /// Whether the listener is accepting connections.
    pub(crate) fn is_running(&self, listener: Listener) -> bool {
        lock(&self.slots)
            .get(&listener)
            .is_some_and(|s| s.handle.is_some())
    }

    /// Running flag of every listener.
    pub(crate) fn status(&self) -> BTreeMap<String, bool> {
        lock(&self.slots)
            .iter()
            .map(|(l, s)| (l.name(), s.handle.is_some()))
            .collect()
    }

    /// Stops everything.
    pub(crate) async fn stop_all(&self) {
        let keys: Vec<Listener> = lock(&self.slots).keys().copied().collect();
        for k in keys {
            self.stop(k).await;
        }
    }
}
