//! Lambda entry point: builds the clients, then hands every delivery to the handler (which reads the
//! webhook signing secret when the first one arrives).

use billing_webhook::{handle, Receiver};
use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = App::from_env().await?;
    let receiver: &'static Receiver = Box::leak(Box::new(Receiver {
        secret: confide_shared::stripe::WebhookSecret::new(&app.config, app.ssm.clone()),
        app: std::sync::Arc::new(app),
    }));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(receiver, req).await)
    }))
    .await
}
