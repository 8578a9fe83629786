//! The library every Confide function uses. Its modules form layers, and every import points down
//! (`tests/layers.rs` keeps it so):
//!
//! 1. [`domain`]: types and rules, free of Lambda and AWS types — ids, roles and permissions, tenant
//!    settings and profile, contacts and consent, messages, analyses, billing, the audit hash chain;
//!    [`api`]: the v1 contract (request and response bodies, the OpenAPI document) built from them.
//! 2. Adapters, each over one outside thing:
//!    - [`store`]: the repository over the data table, one file per aggregate; [`keys`]: its key layout;
//!    - [`encryption`]: DB-ESDK with one branch key per tenant, and payloads sealed for S3 and SQS;
//!    - [`objects`] (S3), [`jobs`] and [`messaging`] (the two SQS queues), [`queues`] (what a worker
//!      does with a message it cannot read);
//!    - [`audit`]: appending to and verifying a tenant's chain; [`auth`]: who is calling, from our
//!      table; [`identity`]: Cognito;
//!    - [`genai`], [`pseudonymize`], [`charts`], [`reports`]: AI analyses — providers, prompts without
//!      personal data, SVG charts, downloadable reports;
//!    - [`twilio`], [`sendgrid`], [`stripe`], [`unsubscribe`]: messaging and billing providers, and
//!      the signed links in promotional email;
//!    - [`outbound`] (the HTTP client for calls that leave AWS), [`secrets`] (SSM), [`aws`] (the SDK's
//!      configuration), [`xray`], [`metrics`], [`telemetry`] (logs without personal data);
//!    - [`http`] and [`error`]: the API edge — requests in, JSON and errors out; [`shape`]: decoding
//!      decrypted JSON without quoting it; [`config`]: the deployment's settings; [`clock`]: now.
//! 3. [`app`]: the clients a function builds once at cold start, assembled from the adapters.
//! 4. [`inbox`]: what happens to a message, for every entry point (API, webhook, worker), on an [`App`].

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod charts;
pub mod clock;
pub mod config;
pub mod domain;
pub mod encryption;
pub mod error;
pub mod genai;
pub mod http;
pub mod identity;
pub mod inbox;
pub mod jobs;
pub mod keys;
pub mod messaging;
pub mod metrics;
pub mod objects;
pub mod outbound;
pub mod pseudonymize;
pub mod queues;
pub mod reports;
pub mod secrets;
pub mod sendgrid;
pub mod shape;
pub mod store;
pub mod stripe;
pub mod telemetry;
pub mod twilio;
pub mod unsubscribe;
pub mod xray;

pub use app::App;
pub use error::ApiError;
