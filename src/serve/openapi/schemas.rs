//! The response and request schemas of the OpenAPI document.

use serde_json::{Value, json};

fn string() -> Value {
    json!({"type": "string"})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn array_of(schema: Value) -> Value {
    json!({"type": "array", "items": schema})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn risk() -> Value {
    json!({"type": "string", "enum": ["low", "medium", "high"]})
}

/// Every schema, by name.
pub fn schemas() -> Value {
    json!({
        "Error": {
            "type": "object", "required": ["error", "status"],
            "properties": {"error": {"type": "string", "description": "What went wrong, in plain words."}, "status": {"type": "integer"}},
        },
        "FlaggedPage": {
            "type": "object", "required": ["items", "next_cursor", "note"],
            "properties": {
                "items": array_of(reference("FlaggedAd")),
                "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next (older) page; with `since`, pass as `since` to keep polling. Null when there are no more pages."},
                "poll_cursor": {"type": ["string", "null"], "description": "The newest position seen: poll later with `since=<poll_cursor>`."},
                "note": string(),
            },
        },
        "FlaggedAd": {
            "type": "object",
            "properties": {
                "id": string(), "title": string(), "text": string(), "contact": string(),
                "url": nullable_string(), "urls": array_of(string()),
                "language": nullable_string(), "country": nullable_string(),
                "score": {"type": "number", "minimum": 0, "maximum": 1}, "risk": risk(),
                "flags": array_of(string()), "evidence": array_of(reference("Evidence")),
                "contacts": array_of(reference("Contact")),
                "scorer_version": string(), "flagged_at": time(), "note": string(),
            },
        },
        "Evidence": {
            "type": "object",
            "properties": {"flag": string(), "label": string(), "field": string(), "text": {"type": "string", "description": "The ad's own words."}},
        },
        "Contact": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["phone", "telegram", "whatsapp", "line", "wechat", "kakao", "zalo", "email", "url"]},
                "value": string(),
            },
        },
        "AdRecord": {
            "type": "object", "description": "An ad as `lurewatch score` reads it; other fields are passed through.",
            "properties": {
                "id": string(), "title": string(), "text": string(), "company": string(), "location": string(),
                "salary": string(), "contact": string(), "url": string(), "source": string(),
                "posted_at": string(), "language": string(),
            },
            "additionalProperties": true,
        },
        "Flag": {
            "type": "object",
            "properties": {
                "id": string(), "label": string(), "polarity": {"type": "string", "enum": ["risk", "protective"]},
                "field": string(), "evidence": string(), "start": {"type": "integer"}, "end": {"type": "integer"},
            },
        },
        "Entity": {
            "type": "object",
            "properties": {"field": string(), "kind": string(), "value": string(), "start": {"type": "integer"}, "end": {"type": "integer"}, "raw": string()},
        },
        "ScoredAd": {
            "description": "The ad record with its score, as `lurewatch score` writes it.",
            "allOf": [reference("AdRecord"), {
                "type": "object",
                "properties": {
                    "score": {"type": "number"}, "flagged": {"type": "boolean"}, "risk": risk(),
                    "flags": array_of(reference("Flag")), "entities": array_of(reference("Entity")),
                    "salaries": array_of(json!({"type": "object"})), "pay": {"type": "object"},
                    "reasons": array_of(json!({"type": "object"})),
                    "scorer": {"type": "object", "properties": {"name": string(), "version": string()}},
                    "note": string(),
                },
            }],
        },
        "Ad": {
            "type": "object",
            "properties": {
                "id": string(), "ad": reference("AdRecord"), "language": nullable_string(), "country": nullable_string(),
                "flagged": {"type": "boolean"}, "score": {"type": ["number", "null"]}, "risk": risk(),
                "scorer": {"type": "object"}, "scored_at": time(),
                "flags": array_of(reference("Flag")), "entities": array_of(reference("Entity")),
                "salaries": array_of(json!({"type": "object"})), "pay": {"type": ["object", "null"]},
                "reasons": array_of(json!({"type": "object"})),
                "urls": array_of(string()),
                "sightings": array_of(json!({"type": "object", "properties": {"url": string(), "source": nullable_string(), "first_seen": time(), "last_seen": time()}})),
                "first_seen": time(), "last_seen": time(),
                "history": array_of(json!({"type": "object", "properties": {"score": {"type": "number"}, "flagged": {"type": "boolean"}, "risk": risk(), "scorer": {"type": "object"}, "scored_at": time()}})),
                "review_state": {"type": "string", "enum": ["unreviewed", "confirmed", "dismissed"]},
                "reviews": array_of(reference("Review")),
                "note": string(),
            },
        },
        "ReviewRequest": {
            "type": "object", "required": ["decision"], "additionalProperties": false,
            "properties": {"decision": {"type": "string", "enum": ["confirmed", "dismissed"]}, "note": {"type": "string", "maxLength": 4000}},
        },
        "Review": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "ad_id": string(), "decision": {"type": "string", "enum": ["confirmed", "dismissed"]},
                "note": nullable_string(), "reviewed_at": time(), "review_state": string(),
            },
        },
        "Webhook": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "url": string(), "active": {"type": "boolean"}, "created_at": time()},
        },
        "NewWebhook": {
            "allOf": [reference("Webhook"), {"type": "object", "properties": {"secret": {"type": "string", "description": "Signs every delivery. Shown only once."}, "note": string()}}],
        },
        "Delivery": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "webhook_id": {"type": "integer"}, "ad_id": string(),
                "state": {"type": "string", "enum": ["pending", "delivered", "failed"]},
                "attempts": {"type": "integer"}, "created_at": time(), "delivered_at": {"type": ["string", "null"], "format": "date-time"},
                "last_error": nullable_string(),
            },
        },
    })
}
