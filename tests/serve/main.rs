//! End-to-end tests of `lurewatch serve` against the real server on 127.0.0.1: authentication
//! and scopes, stable pagination while ads arrive, filters, CSV and Atom parsed back by real
//! parsers, signed webhooks with retries, rate limits, body limits, the private-network guard,
//! metrics, the OpenAPI document, the audit log, and the `serve` binary itself.

mod access;
mod binary;
mod feed;
mod limits;
mod support;
mod webhooks;
