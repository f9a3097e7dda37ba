//! `GET /v1/flagged` and its CSV and Atom forms: flagged ads in the caller's scope, a page at a
//! time.
//!
//! Pages follow feed positions, which are given once, when an ad is first flagged, and only
//! grow. Newest-first pages continue below `next_cursor`, so ads flagged meanwhile never push an ad
//! onto a second page or past one; `since=<cursor>` lists what was flagged after a position,
//! oldest first, for polling. The CSV and Atom forms take the same parameters and give the next
//! page in the `X-Next-Cursor` and `Link` headers.

use axum::Json;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::params::{Cursor, FlaggedParams, Page};
use super::{FLAGGED, db};
use crate::classify::REVIEW_NOTE;
use crate::export::atom::{AtomWriter, FeedMeta};
use crate::export::csv::CsvWriter;
use crate::export::{FeedItem, ItemWriter, items};
use crate::serve::auth::Caller;
use crate::serve::errors::ApiError;
use crate::serve::state::AppState;
use crate::store::now_millis;

/// One page of the feed.
struct FeedPage {
    items: Vec<FeedItem>,
    /// Where the next page starts, if there may be one.
    next: Option<Cursor>,
    /// The newest position on this page (or the `since` given): poll with `since` from here.
    poll: Option<Cursor>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    query: Option<&str>,
) -> Result<FeedPage, ApiError> {
    let params = FlaggedParams::parse(query.unwrap_or_default())?;
    let query = params.query(caller.0.scope.clone());
    let items = db(state, move |store| {
        let flagged = store.flagged(&query)?;
        items(store, flagged)
    })
    .await?;
    let full = items.len() >= params.limit;
    let (next, poll) = match params.page.unwrap_or(Page::Newest(None)) {
        Page::Newest(before) => {
            let next = if full {
                items.last().map(|i| Cursor(i.seq))
            } else {
                None
            };
            // Only the first page knows the newest position.
            let poll = match before {
                None => Some(Cursor(items.first().map_or(0, |i| i.seq))),
                Some(_) => None,
            };
            (next, poll)
        }
        Page::Since(after) => {
            let newest = Cursor(items.last().map_or(after, |i| i.seq));
            (Some(newest), Some(newest))
        }
    };
    Ok(FeedPage { items, next, poll })
}

/// `GET /v1/flagged`.
pub async fn json(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let page = page(&state, &caller, query.as_deref()).await?;
    Ok(Json(serde_json::json!({
        "items": page.items,
        "next_cursor": page.next.map(Cursor::encode),
        "poll_cursor": page.poll.map(Cursor::encode),
        "note": REVIEW_NOTE,
    }))
    .into_response())
}

/// `GET /v1/flagged.csv`.
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let page = page(&state, &caller, query.as_deref()).await?;
    let mut body = Vec::new();
    let mut writer = CsvWriter::new(&mut body);
    write_all(&mut writer, &page.items)?;
    drop(writer);
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"lurewatch-flagged.csv\"",
            ),
        ],
        body,
    )
        .into_response();
    paging_headers(
        response.headers_mut(),
        uri.path(),
        query.as_deref(),
        page.next,
    );
    Ok(response)
}

/// `GET /v1/flagged.atom`.
pub async fn atom(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let page = page(&state, &caller, query.as_deref()).await?;
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .map(|host| format!("http://{host}"))
        .unwrap_or_default();
    let self_url = format!(
        "{base}{}",
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    let next_url = page
        .next
        .map(|next| format!("{base}{}", next_link(uri.path(), query.as_deref(), next)));
    let meta = FeedMeta {
        id: format!("urn:lurewatch:feed:partner:{}", caller.0.id),
        title: format!("Lurewatch: flagged job ads for {}", caller.0.name),
        self_url: Some(self_url),
        next_url,
        updated: page
            .items
            .iter()
            .map(|i| i.flagged_at_millis)
            .max()
            .unwrap_or_else(now_millis),
    };
    let mut body = Vec::new();
    let mut writer = AtomWriter::new(&mut body, meta);
    write_all(&mut writer, &page.items)?;
    drop(writer);
    let mut response = (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response();
    paging_headers(
        response.headers_mut(),
        uri.path(),
        query.as_deref(),
        page.next,
    );
    Ok(response)
}

fn write_all(writer: &mut dyn ItemWriter, items: &[FeedItem]) -> Result<(), ApiError> {
    let mut write = || -> std::io::Result<()> {
        for item in items {
            writer.item(item)?;
        }
        writer.finish()
    };
    write().map_err(|e| {
        tracing::error!(error = %e, "A feed page could not be written.");
        ApiError::internal()
    })
}

/// `X-Next-Cursor` and `Link: <...>; rel="next"` for a page that may have a next one.
fn paging_headers(headers: &mut HeaderMap, path: &str, query: Option<&str>, next: Option<Cursor>) {
    let Some(next) = next else { return };
    if let Ok(value) = HeaderValue::from_str(&next.encode()) {
        headers.insert("x-next-cursor", value);
    }
    let link = format!("<{}>; rel=\"next\"", next_link(path, query, next));
    if let Ok(value) = HeaderValue::from_str(&link) {
        headers.insert(header::LINK, value);
    }
}

/// The path and query of the next page: the same parameters with the cursor moved on.
fn next_link(path: &str, query: Option<&str>, next: Cursor) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let mut since = false;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "cursor" => {}
            "since" => since = true,
            _ => {
                out.append_pair(&name, &value);
            }
        }
    }
    out.append_pair(if since { "since" } else { "cursor" }, &next.encode());
    let path = if path.is_empty() { FLAGGED } else { path };
    format!("{path}?{}", out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_keeps_filters_and_moves_the_cursor() {
        assert_eq!(
            next_link(
                "/v1/flagged.csv",
                Some("language=th&cursor=c9&limit=2"),
                Cursor(5)
            ),
            "/v1/flagged.csv?language=th&limit=2&cursor=c5"
        );
        assert_eq!(
            next_link("/v1/flagged.atom", Some("since=c1"), Cursor(7)),
            "/v1/flagged.atom?since=c7"
        );
        let mut headers = HeaderMap::new();
        paging_headers(&mut headers, "/v1/flagged.csv", None, Some(Cursor(16)));
        assert_eq!(headers["x-next-cursor"], "c10");
        assert_eq!(
            headers[header::LINK],
            "</v1/flagged.csv?cursor=c10>; rel=\"next\""
        );
    }
}
