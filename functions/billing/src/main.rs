//! Lambda entry point: builds the clients and reads the Stripe key once, then hands every request to
//! the handler.

use billing_function::{handle, Billing};
use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = App::from_env().await?;
    let billing: &'static Billing = Box::leak(Box::new(Billing {
        stripe: confide_shared::stripe::Connection::new(&app.config, app.ssm.clone()),
        app: std::sync::Arc::new(app),
    }));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(billing, req).await)
    }))
    .await
}
