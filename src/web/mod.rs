//! The HTTP plumbing every route shares — pages, server functions and the JSON API alike: the
//! gate in front of every route (caller, CSRF, same origin), the security headers and the
//! per-page CSP nonce, the session cookie, the client's address behind trusted proxies, and
//! the bundle's static files, and sending a follower replica's starts and confirmations on to the
//! leader. Below the handlers (`api`, `rest`), which use it; the router at
//! the top composes it.

pub mod address;
pub mod assets;
pub mod cookie;
pub mod forward;
pub mod gate;
pub mod headers;
