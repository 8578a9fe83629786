//! The library every Confide function uses.
//!
//! - [`domain`]: types and rules, free of Lambda and AWS types (ids, roles and permissions, tenant
//!   settings and profile, the audit hash chain);
//! - [`store`]: the repository over the data table; [`encryption`]: DB-ESDK with one branch key per tenant;
//! - [`identity`]: Cognito; [`auth`]: who is calling, from our own table;
//! - [`audit`]: appending to and verifying a tenant's chain;
//! - [`http`] and [`error`]: the API edge — requests in, JSON and errors out;
//! - [`genai`], [`pseudonymize`], [`charts`], [`reports`]: AI analyses — providers, prompts without
//!   personal data, SVG charts and downloadable reports;
//! - [`objects`] (S3) and [`jobs`] (SQS), with [`payloads`] sealing what leaves for S3 under the tenant key;
//! - [`app`]: the clients a function builds once at cold start; [`aws`]: the SDK's configuration.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod charts;
pub mod config;
pub mod domain;
pub mod encryption;
pub mod error;
pub mod genai;
pub mod http;
pub mod identity;
pub mod inbox;
pub mod jobs;
pub mod messaging;
pub mod metrics;
pub mod objects;
pub mod outbound;
pub mod payloads;
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
