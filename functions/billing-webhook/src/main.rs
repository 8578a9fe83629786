//! Lambda entry point: builds the clients, then hands every delivery to the handler (which reads the
//! webhook signing secret when the first one arrives).

use billing_webhook::{handle, Receiver};
use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let sdk = confide_shared::aws::sdk_config().await;
    let app = App::new(confide_shared::config::Config::from_env()?, &sdk).await?;
    let secret = confide_shared::stripe::WebhookSecret::from_ssm(confide_shared::aws::ssm(&sdk));
    let receiver: &'static Receiver = Box::leak(Box::new(Receiver {
        app: std::sync::Arc::new(app),
        secret,
    }));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(receiver, req).await)
    }))
    .await
}
