//! Shared helpers of the integration tests and benchmarks.

pub mod sites;
