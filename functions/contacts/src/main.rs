//! Lambda entry point: builds the clients once, then hands every request to the handler.

use confide_shared::App;
use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    // Shared with the tasks that import a file's rows side by side. Lookups, tag lists and writes
    // compute beacons — most of this function's requests — hence the beacon keys read ahead.
    let app = Arc::new(App::from_env().await?.reading_beacon_keys_ahead());
    run(service_fn(move |req| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(contacts_function::handle(&app, req).await) }
    }))
    .await
}
