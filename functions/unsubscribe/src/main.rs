//! Lambda entry point: builds the clients; the unsubscribe signing key is read by the first request.

use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;
use unsubscribe_function::Unsubscribe;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = App::from_env().await?;
    let key = confide_shared::secrets::Secret::new(
        app.ssm.clone(),
        &app.config.messaging.unsubscribe_secret_parameter,
    );
    let state: &'static Unsubscribe = Box::leak(Box::new(Unsubscribe {
        app: std::sync::Arc::new(app),
        key,
    }));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(unsubscribe_function::handle(state, req).await)
    }))
    .await
}
