//! Simulator tests, one binary: real HTTP against a started simulator, one module per API area.

mod common;

mod auth;
mod control;
mod elasticsearch;
mod rest_v2;
mod restore_es;
mod restore_zeebe;
mod tls;
mod unified;
mod webapps;
mod zeebe;
