//! Lambda entry point: no clients to build; liveness touches no data.

use lambda_http::{run, service_fn, Error};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    run(service_fn(|req| async move {
        Ok::<_, Infallible>(health_function::handle(req).await)
    }))
    .await
}
