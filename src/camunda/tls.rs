//! The TLS trust of the management clients when `[cluster.tls] ca_file` is set: the system's
//! roots plus the file's certificates, verified as usual (chain, name, validity) — and a
//! server certificate that appears byte for byte in `ca_file` trusted as it is (pinned). A
//! quick Elasticsearch set-up serves one self-signed certificate that is its own CA (what
//! `openssl req -x509` makes); rustls refuses a CA certificate as a server's own
//! (`CaUsedAsEndEntity`) even when it is the trusted root, although the admin named exactly
//! that certificate. The handshake's signature is still checked with the pinned key.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// Why the TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    #[error("cluster.tls.ca_file holds no PEM certificate")]
    NoCertificate,
    #[error("cluster.tls.ca_file could not be read as PEM certificates")]
    CaPem(#[source] rustls::pki_types::pem::Error),
    #[error("cluster.tls.client_cert_file / client_key_file could not be read as PEM")]
    IdentityPem(#[source] rustls::pki_types::pem::Error),
    #[error("the TLS configuration was refused")]
    Rustls(#[from] rustls::Error),
    #[error("the certificate verifier could not be built")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
}

/// A rustls client configuration: system roots and `ca_pem`'s certificates, with the
/// certificates of `ca_pem` also pinned; the client identity (certificate chain and key, PEM)
/// for mutual TLS; HTTP/2 and HTTP/1.1 offered.
pub fn client_config(
    ca_pem: &[u8],
    identity_pem: Option<&[u8]>,
    accept_any: bool,
) -> Result<ClientConfig, TlsConfigError> {
    let provider: Arc<CryptoProvider> = Arc::new(ring::default_provider());
    let pinned: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(ca_pem)
        .collect::<Result<_, _>>()
        .map_err(TlsConfigError::CaPem)?;
    if pinned.is_empty() {
        return Err(TlsConfigError::NoCertificate);
    }
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!(error = %e, "a system root certificate could not be loaded");
    }
    let (_added, _ignored) = roots.add_parsable_certificates(native.certs);
    // A certificate webpki cannot use as a trust anchor is still pinned.
    let (_added, _ignored) = roots.add_parsable_certificates(pinned.iter().cloned());
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?;
    let verifier = Arc::new(PinningVerifier {
        webpki,
        pinned,
        provider: provider.clone(),
        accept_any,
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity_pem {
        Some(pem) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<_, _>>()
                .map_err(TlsConfigError::IdentityPem)?;
            let key = PrivateKeyDer::from_pem_slice(pem).map_err(TlsConfigError::IdentityPem)?;
            builder.with_client_auth_cert(chain, key)?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// webpki's verdict, except for a certificate the admin listed in `ca_file` itself.
#[derive(Debug)]
struct PinningVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    /// `insecure_skip_verify`: any certificate (for tests; logged loudly at start-up).
    accept_any: bool,
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.accept_any || is_pinned(&self.pinned, end_entity) {
            return Ok(ServerCertVerified::assertion());
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// Whether `cert` is byte for byte one of `pinned`.
fn is_pinned(pinned: &[CertificateDer<'static>], cert: &CertificateDer<'_>) -> bool {
    pinned.iter().any(|p| p.as_ref() == cert.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bytes_are_pinned() {
        let a = CertificateDer::from(vec![1u8, 2, 3]);
        let b = CertificateDer::from(vec![1u8, 2, 4]);
        assert!(is_pinned(std::slice::from_ref(&a), &a));
        assert!(!is_pinned(std::slice::from_ref(&a), &b));
        assert!(!is_pinned(&[], &a));
    }

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        assert!(matches!(
            client_config(b"not a pem", None, false),
            Err(TlsConfigError::NoCertificate)
        ));
    }
}
