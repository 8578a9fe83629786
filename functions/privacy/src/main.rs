//! Lambda entry point: builds the function's state once (its `connect`, which the local stack calls
//! too), then hands every request to the handler.

use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = Arc::new(App::from_env().await?);
    let state: &'static _ = Box::leak(Box::new(privacy_function::connect(app)));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(privacy_function::handle(state, req).await)
    }))
    .await
}
