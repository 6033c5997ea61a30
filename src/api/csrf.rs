//! The server functions' client: the browser's `fetch`, plus the session's CSRF token (from the
//! page's `<meta name="csrf-token">`) in the `X-CSRF-Token` header, which the server requires
//! on every state-changing request of a browser session.

use leptos::server_fn::client::{browser::BrowserClient, Client};
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use leptos::server_fn::Bytes;
use std::future::Future;

/// Name of the header and of the page's meta element.
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_META: &str = "csrf-token";

/// `BrowserClient` with the CSRF header.
pub struct CsrfClient;

impl<E, IS, OS> Client<E, IS, OS> for CsrfClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = page_token() {
            req.headers().set(CSRF_HEADER, &token);
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl futures::Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future);
    }
}

/// The token the server rendered into the page.
#[cfg(feature = "hydrate")]
fn page_token() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("meta[name=\"{CSRF_META}\"]"))
        .ok()??
        .get_attribute("content")
}

#[cfg(not(feature = "hydrate"))]
fn page_token() -> Option<String> {
    None
}
