//! Prints the API's OpenAPI document, the one `GET /v1/openapi.json` serves. The web app's build
//! generates its client types from this output, so a changed shape fails the web build.

fn main() {
    let document = confide_shared::api::openapi::document();
    println!(
        "{}",
        serde_json::to_string_pretty(&document).expect("a JSON value always serialises")
    );
}
