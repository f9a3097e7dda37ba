//! `GET /v1/openapi.json`: the API described in OpenAPI 3.1, written by hand.
//!
//! A test checks that every route in [`super::api::ENDPOINTS`] is described here with its method,
//! so the document cannot fall behind the router unnoticed.

mod schemas;

use axum::Json;
use serde_json::{Value, json};

use crate::serve::api::{
    AD, CHECK, DELIVERIES, FLAGGED, FLAGGED_ATOM, FLAGGED_CSV, OPENAPI, REVIEW, WEBHOOK, WEBHOOKS,
};

/// `GET /v1/openapi.json`.
pub async fn serve() -> Json<Value> {
    Json(document())
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The responses every `/v1` route can give besides its own.
fn common(mut responses: Value) -> Value {
    let extra = [
        ("401", "No token, an unknown token or a revoked one."),
        (
            "429",
            "Too many requests; the Retry-After header says how many seconds to wait.",
        ),
        ("500", "Something failed on the server."),
    ];
    for (code, text) in extra {
        responses[code] = error_response(text);
    }
    responses
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn id_param(description: &str) -> Value {
    json!({"name": "id", "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn feed_parameters() -> Value {
    json!([
        query(
            "limit",
            "Ads per page, 1 to 500 (default 50).",
            json!({"type": "integer", "minimum": 1, "maximum": 500})
        ),
        query(
            "cursor",
            "Continue newest-first below this cursor (a `next_cursor`).",
            json!({"type": "string"})
        ),
        query(
            "since",
            "Only ads flagged after this cursor (a `poll_cursor` or `next_cursor`), oldest first: for polling.",
            json!({"type": "string"})
        ),
        query(
            "min_score",
            "Lowest score, 0 to 1.",
            json!({"type": "number", "minimum": 0, "maximum": 1})
        ),
        query(
            "language",
            "Language tag; `pt` also matches `pt-BR`.",
            json!({"type": "string"})
        ),
        query(
            "country",
            "Two-letter country code the ad targets.",
            json!({"type": "string", "pattern": "^[A-Za-z]{2}$"})
        ),
        query(
            "flag",
            "Only ads raising this red flag (a rule id such as `passport_handover`).",
            json!({"type": "string"})
        ),
        query(
            "from",
            "Flagged at or after: YYYY-MM-DD or RFC 3339.",
            json!({"type": "string"})
        ),
        query(
            "to",
            "Flagged before: RFC 3339, or YYYY-MM-DD meaning up to the end of that day.",
            json!({"type": "string"})
        ),
    ])
}

fn feed_operation(summary: &str, media: &str, schema: Value) -> Value {
    let next = json!({
        "X-Next-Cursor": {"description": "Cursor of the next page, when there may be one.", "schema": {"type": "string"}},
        "Link": {"description": "The next page's URL with rel=\"next\".", "schema": {"type": "string"}},
    });
    json!({"get": {
        "summary": summary,
        "parameters": feed_parameters(),
        "responses": common(json!({
            "200": {"description": "A page of flagged ads.", "headers": next, "content": {media: {"schema": schema}}},
            "400": error_response("A parameter is wrong; the message names it."),
        })),
    }})
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    paths.insert(
        FLAGGED.into(),
        feed_operation(
            "Flagged ads in the caller's scope, newest first or since a cursor.",
            "application/json",
            schema_ref("FlaggedPage"),
        ),
    );
    paths.insert(
        FLAGGED_CSV.into(),
        feed_operation(
            "The same page as CSV with a header row.",
            "text/csv",
            json!({"type": "string"}),
        ),
    );
    paths.insert(
        FLAGGED_ATOM.into(),
        feed_operation(
            "The same page as an Atom 1.0 feed.",
            "application/atom+xml",
            json!({"type": "string"}),
        ),
    );
    paths.insert(AD.into(), json!({"get": {
        "summary": "One ad: its record, flags with evidence, contacts, every URL it was seen at, score history and the caller's reviews.",
        "parameters": [id_param("The ad's id.")],
        "responses": common(json!({
            "200": json_response("The ad.", schema_ref("Ad")),
            "403": error_response("The ad exists but is outside the caller's scope."),
            "404": error_response("No ad has this id."),
        })),
    }}));
    paths.insert(REVIEW.into(), json!({"post": {
        "summary": "Confirm or dismiss an ad, with a note. Only the caller sees its reviews.",
        "parameters": [id_param("The ad's id.")],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("ReviewRequest")}}},
        "responses": common(json!({
            "201": json_response("The review as recorded.", schema_ref("Review")),
            "400": error_response("The decision or note is wrong."),
            "403": error_response("The ad is outside the caller's scope."),
            "404": error_response("No ad has this id."),
            "413": error_response("The body is over the size limit."),
        })),
    }}));
    paths.insert(CHECK.into(), json!({"post": {
        "summary": "Score an ad sent in the body. Answers with the record `lurewatch score` writes.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("AdRecord")}}},
        "responses": common(json!({
            "200": json_response("The scored ad.", schema_ref("ScoredAd")),
            "400": error_response("The ad cannot be read, or its URL points to a private network or an IP address."),
            "413": error_response("The body is over the size limit."),
            "422": error_response("The ad has only a URL, and no job ad was found at it."),
            "502": error_response("The ad has only a URL, and it could not be fetched."),
        })),
    }}));
    paths.insert(WEBHOOKS.into(), json!({
        "post": {
            "summary": "Register a webhook: flagged ads in the caller's scope are POSTed to it, signed. The secret is returned only here.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["url"], "additionalProperties": false,
                "properties": {"url": {"type": "string", "format": "uri"}}}}}},
            "responses": common(json!({
                "201": json_response("The webhook with its signing secret.", schema_ref("NewWebhook")),
                "400": error_response("The URL is not http(s), or points to a private network or an IP address."),
                "409": error_response("Too many active webhooks."),
                "413": error_response("The body is over the size limit."),
            })),
        },
        "get": {
            "summary": "The caller's webhooks.",
            "responses": common(json!({"200": json_response("The webhooks.", json!({
                "type": "object", "properties": {"webhooks": {"type": "array", "items": schema_ref("Webhook")}}}))})),
        },
    }));
    paths.insert(WEBHOOK.into(), json!({"delete": {
        "summary": "Stop deliveries to one of the caller's webhooks.",
        "parameters": [json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}})],
        "responses": common(json!({
            "204": {"description": "Stopped."},
            "404": error_response("The caller has no webhook with this id."),
        })),
    }}));
    paths.insert(DELIVERIES.into(), json!({"get": {
        "summary": "The caller's latest webhook deliveries, newest first.",
        "parameters": [query("limit", "How many, 1 to 500 (default 50).", json!({"type": "integer", "minimum": 1, "maximum": 500}))],
        "responses": common(json!({"200": json_response("The deliveries.", json!({
            "type": "object", "properties": {"deliveries": {"type": "array", "items": schema_ref("Delivery")}}}))})),
    }}));
    paths.insert(OPENAPI.into(), json!({"get": {
        "summary": "This document.",
        "responses": common(json!({"200": json_response("The OpenAPI document.", json!({"type": "object"}))})),
    }}));
    paths.insert("/healthz".into(), json!({"get": {
        "summary": "Whether the server can read its database. No token needed.",
        "security": [],
        "responses": {"200": {"description": "Healthy."}, "503": {"description": "The database cannot be read."}},
    }}));
    paths.insert("/metrics".into(), json!({"get": {
        "summary": "Prometheus metrics: requests by route and status, latency histogram, webhook deliveries, ad counts. No token needed.",
        "security": [],
        "responses": {"200": {"description": "Prometheus text format 0.0.4.", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    }}));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Lurewatch partner API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Job ads flagged as possible scam-centre trafficking lures, for partner organisations. A flag is a lead for human review, not proof of trafficking or wrongdoing. Every /v1 call needs a partner token (`Authorization: Bearer <token>`); a partner sees only ads in its scope and only its own reviews, webhooks and deliveries. Errors are JSON: {\"error\": \"...\", \"status\": N}.",
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "webhooks": {"adFlagged": {"post": {
            "summary": "A newly flagged ad in the partner's scope. Headers: X-Lurewatch-Timestamp (Unix seconds), X-Lurewatch-Signature (sha256=<hex HMAC-SHA256(secret, \"<timestamp>.<body>\")>), X-Lurewatch-Delivery (the delivery id, the same on retries). Answer 2xx to accept; anything else is retried with growing waits.",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"event": {"const": "ad.flagged"}, "delivery_id": {"type": "integer"}, "ad": schema_ref("FlaggedAd")}}}}},
            "responses": {"200": {"description": "Accepted."}},
        }}},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A partner token from `lurewatch partner add`."}},
            "schemas": schemas::schemas(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::api::ENDPOINTS;

    #[test]
    fn every_routed_endpoint_is_described_with_its_method() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        for (method, path) in ENDPOINTS {
            let operation = &doc["paths"][*path][method.as_str().to_lowercase()];
            assert!(operation.is_object(), "{method} {path} is not described");
            assert!(
                operation["responses"].is_object(),
                "{method} {path} has no responses"
            );
        }
        let schemas = &doc["components"]["schemas"];
        let text = doc.to_string();
        for name in text.split("#/components/schemas/").skip(1) {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(
                schemas[&name].is_object(),
                "schema {name} is referenced but missing"
            );
        }
    }
}
