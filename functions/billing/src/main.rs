//! Lambda entry point: builds the clients and reads the Stripe key once, then hands every request to
//! the handler.

use billing_function::{handle, Billing};
use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let sdk = confide_shared::aws::sdk_config().await;
    let app = App::new(confide_shared::config::Config::from_env()?, &sdk).await?;
    let stripe =
        confide_shared::stripe::connect(&app.config, &confide_shared::aws::ssm(&sdk)).await?;
    let billing: &'static Billing = Box::leak(Box::new(Billing {
        app: std::sync::Arc::new(app),
        stripe,
    }));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(billing, req).await)
    }))
    .await
}
