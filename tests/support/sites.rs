//! Fixture web sites for crawler tests and benchmarks: real HTTP servers on loopback addresses,
//! each logging the requests it answers.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// One request a site answered.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path and query.
    pub target: String,
    /// When it arrived.
    pub at: Instant,
    /// Its `If-None-Match` header.
    pub if_none_match: Option<String>,
    /// Its `User-Agent` header.
    pub user_agent: Option<String>,
}

/// What a handler is told about the request.
pub struct Ctx<'a> {
    /// Requests for this target before this one.
    pub earlier: usize,
    /// The request's headers.
    pub headers: &'a HeaderMap,
}

type Handler = Arc<dyn Fn(&Ctx<'_>) -> Response + Send + Sync>;

#[derive(Clone, Default)]
struct Shared {
    routes: Arc<HashMap<String, Handler>>,
    log: Arc<Mutex<Vec<Hit>>>,
}

/// A running fixture site.
pub struct Site {
    /// Where it listens.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Hit>>>,
}

/// Builds a site's routes.
#[derive(Default)]
pub struct SiteBuilder {
    routes: HashMap<String, Handler>,
}

impl SiteBuilder {
    /// A page served with status 200 and a content type.
    pub fn page(mut self, target: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let body: Vec<u8> = body.into();
        let content_type = content_type.to_string();
        self.routes.insert(
            target.to_string(),
            Arc::new(move |_| ok(&content_type, body.clone())),
        );
        self
    }

    /// An HTML page.
    pub fn html(self, target: &str, body: &str) -> Self {
        self.page(target, "text/html; charset=utf-8", body.as_bytes().to_vec())
    }

    /// A page computed per request.
    pub fn dynamic(
        mut self,
        target: &str,
        handler: impl Fn(&Ctx<'_>) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.routes.insert(target.to_string(), Arc::new(handler));
        self
    }

    /// Starts serving on `ip` (any free port).
    pub async fn start(self, ip: &str) -> Site {
        self.serve(listen(ip).await)
    }

    /// Starts serving on a listener from [`listen`] (when the routes need the site's address).
    pub fn serve(self, listener: tokio::net::TcpListener) -> Site {
        let addr = listener.local_addr().expect("local address");
        let shared = Shared {
            routes: Arc::new(self.routes),
            log: Arc::default(),
        };
        let log = shared.log.clone();
        let app = Router::new().fallback(serve).with_state(shared);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Site { addr, log }
    }
}

/// A listener on `ip` (any free port) and the site's base URL (`http://IP:PORT`).
pub async fn listen(ip: &str) -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("bind a loopback address")
}

/// The base URL of a listener.
pub fn base(listener: &tokio::net::TcpListener) -> String {
    format!("http://{}", listener.local_addr().expect("local address"))
}

impl Site {
    /// A site with these routes.
    pub fn builder() -> SiteBuilder {
        SiteBuilder::default()
    }

    /// `http://ADDR` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.log.lock().expect("log").clone()
    }

    /// Requests for one target.
    pub fn hits_for(&self, target: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.target == target)
            .collect()
    }
}

async fn serve(
    State(shared): State<Shared>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let earlier = {
        let mut log = shared.log.lock().expect("log");
        let earlier = log.iter().filter(|h| h.target == target).count();
        log.push(Hit {
            target: target.clone(),
            at: Instant::now(),
            if_none_match: header_text(&headers, header::IF_NONE_MATCH),
            user_agent: header_text(&headers, header::USER_AGENT),
        });
        earlier
    };
    match shared.routes.get(&target) {
        Some(handler) => handler(&Ctx {
            earlier,
            headers: &headers,
        }),
        None => status(404, &[], b"not found".to_vec()),
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A 200 response.
pub fn ok(content_type: &str, body: Vec<u8>) -> Response {
    status(200, &[("content-type", content_type)], body)
}

/// A response with a status and headers.
pub fn status(code: u16, headers: &[(&str, &str)], body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(code).expect("a valid status");
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// A job-ad page with a schema.org `JobPosting` in JSON-LD.
pub fn job_posting_page(title: &str, description: &str, extra_html: &str) -> String {
    let posting = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "description": description,
        "datePosted": "2026-11-01",
        "hiringOrganization": {"@type": "Organization", "name": "Fixture Co"},
    });
    format!(
        "<!doctype html><html><head><title>{title}</title>\
         <script type=\"application/ld+json\">{posting}</script></head>\
         <body><h1>{title}</h1>{extra_html}</body></html>"
    )
}

/// A lure's text, numbered so each is a distinct ad.
pub fn lure_text(n: usize) -> String {
    const PLACES: [&str; 5] = [
        "Sihanoukville",
        "Bavet",
        "Poipet",
        "Myawaddy",
        "Golden Triangle",
    ];
    const JOBS: [&str; 5] = [
        "customer service",
        "typing",
        "translator",
        "game tester",
        "data entry",
    ];
    const PERKS: [&str; 4] = [
        "free flight and visa",
        "food and dormitory provided",
        "no experience needed",
        "bonus every month",
    ];
    format!(
        "Urgent {job} staff #{n} wanted in {place}. Salary ${pay}/month, {perk}. \
         Company keeps your passport for the visa. {detail}. Contact Telegram @recruit_{n}",
        job = JOBS[n % JOBS.len()],
        place = PLACES[(n / 5) % PLACES.len()],
        pay = 1500 + (n * 37) % 2000,
        perk = PERKS[(n / 25) % PERKS.len()],
        detail = words(n, 14),
    )
}

/// A sentence of `count` words picked deterministically from `n`, so numbered ads differ in
/// more than their numbers (and are not near-duplicates of each other).
pub fn words(n: usize, count: usize) -> String {
    const WORDS: [&str; 32] = [
        "team", "office", "modern", "shift", "night", "weekend", "training", "laptop", "kitchen",
        "river", "market", "friendly", "manager", "bonus", "holiday", "uniform", "airport",
        "driver", "hotel", "quiet", "garden", "village", "ticket", "phone", "window", "coffee",
        "sunday", "meeting", "contract", "harbour", "bicycle", "library",
    ];
    let mut state = (n as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            WORDS[(state >> 59) as usize]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A legitimate ad's text, numbered.
pub fn legitimate_text(n: usize) -> String {
    format!(
        "Barista #{n} for our cafe in Porto. Part-time, 20 hours a week, {pay} EUR per month. \
         {detail}. Apply with your CV at jobs@cafe-porto.example; interviews in person.",
        pay = 600 + n % 300,
        detail = words(n + 7_919, 14),
    )
}
