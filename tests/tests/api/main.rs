//! Integration tests against the local stack: AWS emulator with template.yaml's resources, and the
//! gateway serving the real handlers. Each test signs up tenants of its own.

mod analyses;
mod audit;
mod bad_input;
mod billing;
mod campaign_faults;
mod contacts;
mod documented;
mod encryption;
mod failures;
mod identity;
mod isolation;
mod jwt;
mod members;
mod messaging;
mod metrics;
mod payloads;
mod privacy;
mod registry;
mod robustness;
mod tenant;
mod workers;
