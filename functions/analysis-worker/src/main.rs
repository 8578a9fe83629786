//! Lambda entry point: builds the worker (clients, keys and HTTP are made when first used), then hands
//! every SQS batch to it.

use analysis_worker::{handle, Worker};
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use confide_shared::App;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[tokio::main]
async fn main() -> Result<(), Error> {
    confide_shared::telemetry::init();
    let app = App::from_env().await?;
    let worker: &'static Worker = Box::leak(Box::new(Worker::connect(std::sync::Arc::new(app))));
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let left = Duration::from_millis(event.context.deadline.saturating_sub(now_ms));
        let deadline = tokio::time::Instant::now() + left;
        Ok::<SqsBatchResponse, Error>(handle(worker, event.payload, Some(deadline)).await)
    }))
    .await
}
