//! HTTPS for the component listeners: a private CA generated at start-up (rcgen), a server
//! certificate for `127.0.0.1`, `localhost` and `::1`, an optional client certificate for mutual
//! TLS, and the rustls acceptor (ring provider only).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use serde::{Deserialize, Serialize};
use tokio_rustls::TlsAcceptor;

use crate::error::SimError;

/// The `[tls]` scenario section: HTTPS on every component listener (not on the admin API).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Serve HTTPS with a certificate signed by a CA generated at start-up.
    pub enabled: bool,
    /// Demand a client certificate signed by the same CA (mutual TLS).
    pub require_client_cert: bool,
    /// Serve one self-signed certificate that is its own CA (`basicConstraints CA:TRUE`, no
    /// subject alternative name), as `openssl req -x509 -newkey rsa -subj /CN=…` makes by
    /// default — a quick Elasticsearch set-up. Its PEM is what the tests trust.
    pub self_signed: bool,
}

/// PEM material handed to tests and to the console (the server key never leaves the simulator).
#[derive(Clone, Debug)]
pub(crate) struct TlsPems {
    /// The generated CA certificate.
    pub ca_cert: String,
    /// A client certificate signed by the CA.
    pub client_cert: String,
    /// The client certificate's private key (PKCS#8).
    pub client_key: String,
}

/// Everything TLS of one simulator run.
pub(crate) struct TlsSetup {
    pub acceptor: TlsAcceptor,
    pub pems: TlsPems,
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Tls(format!("{what}: {e}"))
}

/// The CA: its PEM, its DER, the issuer of leaf certificates, and its key (PKCS#8 DER).
type Ca = (
    String,
    CertificateDer<'static>,
    Issuer<'static, KeyPair>,
    Vec<u8>,
);

fn new_ca() -> Result<Ca, SimError> {
    let key = KeyPair::generate().map_err(|e| tls_err("CA key", e))?;
    let key_der = key.serialize_der();
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("CA", e))?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "camunda-sim test CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "camunda-sim");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).map_err(|e| tls_err("CA", e))?;
    Ok((
        cert.pem(),
        cert.der().clone(),
        Issuer::new(params, key),
        key_der,
    ))
}

/// A leaf certificate signed by `issuer`; returns (cert DER, cert PEM, key).
fn leaf(
    issuer: &Issuer<'static, KeyPair>,
    common_name: &str,
    names: Vec<String>,
    usage: ExtendedKeyUsagePurpose,
) -> Result<(CertificateDer<'static>, String, KeyPair), SimError> {
    let key = KeyPair::generate().map_err(|e| tls_err("leaf key", e))?;
    let mut params = CertificateParams::new(names).map_err(|e| tls_err(common_name, e))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![usage];
    let cert = params
        .signed_by(&key, issuer)
        .map_err(|e| tls_err(common_name, e))?;
    Ok((cert.der().clone(), cert.pem(), key))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

impl TlsSetup {
    /// Generates the CA, the server and client certificates and the acceptor.
    pub(crate) fn generate(config: &TlsConfig) -> Result<Self, SimError> {
        let (ca_pem, ca_der, issuer, ca_key) = new_ca()?;
        if config.self_signed {
            // The CA certificate itself, presented as the server's.
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ca_key));
            let mut server = ServerConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| tls_err("protocol versions", e))?
                .with_no_client_auth()
                .with_single_cert(vec![ca_der], key)
                .map_err(|e| tls_err("self-signed certificate", e))?;
            server.alpn_protocols = vec![b"http/1.1".to_vec()];
            return Ok(Self {
                acceptor: TlsAcceptor::from(Arc::new(server)),
                pems: TlsPems {
                    ca_cert: ca_pem,
                    client_cert: String::new(),
                    client_key: String::new(),
                },
            });
        }
        let server_names = vec!["127.0.0.1".into(), "localhost".into(), "::1".into()];
        let (server_der, _, server_key) = leaf(
            &issuer,
            "camunda-sim",
            server_names,
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let (_, client_pem, client_key) = leaf(
            &issuer,
            "camunda-sim-client",
            Vec::new(),
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;

        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_err("protocol versions", e))?;
        let builder = if config.require_client_cert {
            let mut roots = RootCertStore::empty();
            roots.add(ca_der).map_err(|e| tls_err("CA trust", e))?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| tls_err("client verifier", e))?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut server = builder
            .with_single_cert(vec![server_der], key)
            .map_err(|e| tls_err("server certificate", e))?;
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            pems: TlsPems {
                ca_cert: ca_pem,
                client_cert: client_pem,
                client_key: client_key.serialize_pem(),
            },
        })
    }
}
