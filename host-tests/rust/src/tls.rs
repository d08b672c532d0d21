//! TLS for both stores: which certificate authorities are trusted, and which TLS failures
//! are the WIT `transport-error.tls` (never retried) rather than `failed` (retried).
//!
//! Trust is one list of root certificates, built once per runtime and used by both the
//! blocking store (ureq takes certificates) and the tokio store (a rustls `ClientConfig`):
//! Mozilla's roots (webpki-root-certs), the operating system's store (rustls-native-certs:
//! the distribution's bundle, or `SSL_CERT_FILE` / `SSL_CERT_DIR` of the process as
//! OpenSSL reads them), then the PEM files of `SSL_CERT_FILE` and `AWS_CA_BUNDLE` of the
//! runtime's [`Environment`] and the CA option. Every source adds to the others; none
//! replaces them (a private CA never costs the public ones).

use std::error::Error as StdError;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{AlertDescription, RootCertStore};

use crate::credentials::Environment;
use crate::StoreError;

/// The trusted roots of one runtime and the rustls configuration built from them.
pub struct Trust {
    /// Every root, as DER certificates (what ureq's `RootCerts::Specific` takes).
    pub roots: Arc<Vec<CertificateDer<'static>>>,
    /// For the tokio store (hyper-rustls); clones share the verifier.
    pub client_config: rustls::ClientConfig,
}

impl Trust {
    /// The default roots plus `SSL_CERT_FILE` and `AWS_CA_BUNDLE` of `environment`, plus
    /// `ca_bundle` (PEM text, or the path of a PEM file). A bundle that cannot be read or
    /// holds no certificate is `invalid-config` naming the variable or option (never its
    /// contents).
    pub fn load(environment: &Environment, ca_bundle: Option<&str>) -> Result<Trust, StoreError> {
        let mut extra = Vec::new();
        for variable in ["SSL_CERT_FILE", "AWS_CA_BUNDLE"] {
            if let Some(path) = environment.var(variable) {
                extra.extend(pem_file(&path, variable)?);
            }
        }
        if let Some(bundle) = ca_bundle {
            let option = "the CA option (Runtime::with_ca_bundle)";
            if bundle.contains("-----BEGIN") {
                extra.extend(pem_certificates(bundle.as_bytes(), option)?);
            } else {
                extra.extend(pem_file(bundle, option)?);
            }
        }

        let mut store = RootCertStore::empty();
        // The public roots: the ones shipped with the crate, then the OS's. An unreadable
        // entry of the OS store is skipped, as OpenSSL does; the store is best effort.
        let mut roots: Vec<CertificateDer<'static>> =
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
        roots.extend(rustls_native_certs::load_native_certs().certs);
        store.add_parsable_certificates(roots.iter().cloned());
        // What the user named must work: a certificate rustls refuses is a config error.
        for (certificate, source) in &extra {
            store.add(certificate.clone()).map_err(|e| {
                StoreError::InvalidConfig(format!(
                    "{source} holds a certificate that cannot be a trust anchor ({e})"
                ))
            })?;
        }
        roots.extend(extra.into_iter().map(|(certificate, _)| certificate));

        let client_config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls' default protocol versions")
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Trust {
            roots: Arc::new(roots),
            client_config,
        })
    }
}

/// rustls with `ring`, the provider ureq already brings (no aws-lc-rs: no cmake, no C
/// build of a large crypto library).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

type Labelled = (CertificateDer<'static>, &'static str);

fn pem_file(path: &str, source: &'static str) -> Result<Vec<Labelled>, StoreError> {
    let bytes = std::fs::read(path).map_err(|e| {
        StoreError::InvalidConfig(format!(
            "{source} names a file that cannot be read ({}: {path})",
            e.kind()
        ))
    })?;
    pem_certificates(&bytes, source)
}

fn pem_certificates(pem: &[u8], source: &'static str) -> Result<Vec<Labelled>, StoreError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .map(|certificate| certificate.map(|c| (c, source)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            StoreError::InvalidConfig(format!("{source} is not a valid PEM bundle ({e})"))
        })?;
    if certificates.is_empty() {
        return Err(StoreError::InvalidConfig(format!(
            "{source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(certificates)
}

/// The short reason of a TLS failure that will fail again on the next attempt (the
/// certificate failed verification, or the server refused the handshake: no version or
/// cipher agreed, or it refused our hello), found anywhere in `error`'s causes. `None` for
/// everything else (resets, timeouts, a proxy's refusal), which stays retryable.
pub fn lasting_failure(error: &(dyn StdError + 'static)) -> Option<String> {
    let tls = find_rustls_error(error)?;
    let lasting = match tls {
        rustls::Error::InvalidCertificate(_)
        | rustls::Error::NoCertificatesPresented
        | rustls::Error::UnsupportedNameType
        | rustls::Error::PeerIncompatible(_)
        | rustls::Error::InvalidCertRevocationList(_) => true,
        rustls::Error::AlertReceived(alert) => matches!(
            alert,
            AlertDescription::HandshakeFailure
                | AlertDescription::ProtocolVersion
                | AlertDescription::InsufficientSecurity
                | AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateUnknown
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateRevoked
                | AlertDescription::UnknownCA
                | AlertDescription::UnrecognisedName
                | AlertDescription::IllegalParameter
        ),
        _ => false,
    };
    lasting.then(|| tls.to_string())
}

/// The rustls error under `error`, looking through `source()` and through `io::Error`s
/// that wrap one (tokio-rustls and ureq hand rustls' errors on as `io::Error`, and
/// `io::Error::source` skips the error it wraps).
fn find_rustls_error<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        if let Some(tls) = find_rustls_error(inner) {
            return Some(tls);
        }
    }
    error.source().and_then(find_rustls_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_error_wrapped_twice_in_io_errors_is_found() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let outer = std::io::Error::other(inner);
        assert_eq!(
            lasting_failure(&outer).as_deref(),
            Some("invalid peer certificate: UnknownIssuer")
        );
    }

    #[test]
    fn a_reset_or_a_close_notify_is_not_a_lasting_tls_failure() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(lasting_failure(&reset), None);
        let alert = rustls::Error::AlertReceived(AlertDescription::InternalError);
        assert_eq!(lasting_failure(&alert), None);
    }

    #[test]
    fn a_bundle_that_is_not_pem_is_refused_naming_its_source_not_its_contents() {
        let error = pem_certificates(b"secret-looking text, no PEM", "AWS_CA_BUNDLE").unwrap_err();
        let text = format!("{error:?}");
        assert!(text.contains("AWS_CA_BUNDLE"), "{text}");
        assert!(!text.contains("secret-looking"), "{text}");
    }
}
