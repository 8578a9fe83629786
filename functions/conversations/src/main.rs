//! Lambda entry point: builds the clients once, then hands every request to the handler.

use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(conversations_function::handle(app, req).await)
    }))
    .await
}
