//! The AWS SDK's configuration for a process, and clients built only when first used.
//!
//! Cold starts are paid per function instance, so a function does at init only what every request
//! needs. Left to itself, each SDK client builds its own TLS connector and loads the machine's whole
//! root store into it; and `App` wants clients (S3, SQS, Cognito) that most functions never call.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use std::sync::{Arc, OnceLock};

/// The roots AWS service endpoints chain to (Amazon Trust Services: Amazon Root CA 1–4 and the
/// Starfield Services G2 root that cross-signs them). The SDK talks to AWS and nothing else, so it
/// trusts these and no other authority the host happens to carry.
pub const AWS_ROOT_CERTIFICATES: &str = include_str!("../certs/amazon-trust-services.pem");

/// The SDK configuration of a function, with one HTTP client for every SDK client of the process:
/// one connection pool and one TLS connector per timeout setting, built on first request, over
/// [`AWS_ROOT_CERTIFICATES`].
///
/// Lambda hands a function its region and its role's credentials in the environment
/// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...), the first place the SDK's default chains look. Where
/// they are there, they are taken from there directly: building the default chains costs a cold
/// start ~0.17 ms for providers that would never answer (web identity's STS client with its
/// endpoint partitions parsed, SSO, the profile files, IMDS). Anywhere else the default chains run.
pub async fn sdk_config() -> SdkConfig {
    let mut loader = defaults();
    if let Ok(region) = std::env::var("AWS_REGION") {
        loader = loader.region(aws_config::Region::new(region));
    }
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        );
    }
    loader.load().await
}

/// The loader [`sdk_config`] uses, for callers that set more (the local stack's endpoint).
pub fn defaults() -> aws_config::ConfigLoader {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOT_CERTIFICATES.as_bytes());
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(trust)
                .build()
                .expect("a TLS context without extra server names always builds"),
        )
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(http)
}

/// Each service's client as Confide builds it: from the process's [`SdkConfig`], with every call
/// reported to X-Ray ([`crate::xray`]).
macro_rules! traced_clients {
    ($($name:ident: $sdk:ident),* $(,)?) => {$(
        pub fn $name(sdk: &SdkConfig) -> $sdk::Client {
            $sdk::Client::from_conf(
                $sdk::config::Builder::from(sdk)
                    .interceptor(crate::xray::Subsegments)
                    .build(),
            )
        }
    )*};
}

traced_clients! {
    s3: aws_sdk_s3,
    sqs: aws_sdk_sqs,
    cognito: aws_sdk_cognitoidentityprovider,
    kms: aws_sdk_kms,
    dynamodb: aws_sdk_dynamodb,
    ssm: aws_sdk_ssm,
}

/// An SDK client made on first use from the process's [`SdkConfig`]; clones share it.
pub struct LazyClient<C> {
    sdk: SdkConfig,
    make: fn(&SdkConfig) -> C,
    client: Arc<OnceLock<C>>,
}

impl<C> LazyClient<C> {
    /// `make` is the client's constructor, e.g. [`s3`].
    pub fn new(sdk: &SdkConfig, make: fn(&SdkConfig) -> C) -> Self {
        Self {
            sdk: sdk.clone(),
            make,
            client: Arc::default(),
        }
    }

    pub fn get(&self) -> &C {
        self.client.get_or_init(|| (self.make)(&self.sdk))
    }
}

impl<C> Clone for LazyClient<C> {
    fn clone(&self) -> Self {
        Self {
            sdk: self.sdk.clone(),
            make: self.make,
            client: self.client.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_trust_store_holds_the_five_amazon_trust_services_roots() {
        let certificates = CertificateDer::pem_slice_iter(AWS_ROOT_CERTIFICATES.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("every certificate parses");
        assert_eq!(certificates.len(), 5);
        let mut roots = rustls::RootCertStore::empty();
        let (added, refused) = roots.add_parsable_certificates(certificates);
        assert_eq!((added, refused), (5, 0));
    }

    static MADE: AtomicUsize = AtomicUsize::new(0);

    fn counted(sdk: &SdkConfig) -> aws_sdk_sqs::Client {
        MADE.fetch_add(1, Ordering::SeqCst);
        aws_sdk_sqs::Client::new(sdk)
    }

    #[test]
    fn a_lazy_client_is_made_once_on_first_use_and_shared_by_clones() {
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        let lazy = LazyClient::new(&sdk, counted);
        let copy = lazy.clone();
        assert_eq!(MADE.load(Ordering::SeqCst), 0, "nothing made before use");
        lazy.get();
        copy.get();
        lazy.get();
        assert_eq!(MADE.load(Ordering::SeqCst), 1);
    }
}
