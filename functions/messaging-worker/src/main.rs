//! Lambda entry point: builds the clients, then hands every SQS batch to the worker (which reads the
//! unsubscribe signing key when a marketing email first needs it).

// The worker's future nests the SDK's request futures (DynamoDB, SSM) many levels deep; its layout
// needs more than the default 128 levels of compiler queries.
#![recursion_limit = "256"]

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use confide_shared::App;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use messaging_worker::{handle, Worker};

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = App::from_env().await?;
    let worker: &'static Worker = Box::leak(Box::new(Worker::connect(std::sync::Arc::new(app))));
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<SqsBatchResponse, Error>(handle(worker, event.payload).await)
    }))
    .await
}
