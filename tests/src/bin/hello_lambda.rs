//! The cold-start bench's baseline: a `lambda_runtime` function that answers its event at once, built
//! with the same profile and lock file as Confide's functions.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(
            serde_json::json!({ "statusCode": 200, "body": event.context.request_id }),
        )
    }))
    .await
}
