//! The database schema, as an ordered list of migrations applied when a store is opened.
//!
//! A database records how many migrations it has had in SQLite's `user_version`. Opening applies
//! the missing ones, each in its own transaction, and refuses a database written by a newer
//! Lurewatch (one with more migrations than this build knows) rather than guess at it. Times are
//! Unix milliseconds (UTC) throughout.

/// The migrations, oldest first. Never edit one that has shipped: add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: ads and their sightings, score history, the crawl frontier, partners, reviews,
    // webhooks and deliveries, and the audit log.
    r#"
CREATE TABLE ads (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    language TEXT,
    country TEXT,
    simhash INTEGER,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    -- The latest score, copied here so the feed filters without a join.
    score_id INTEGER,
    score REAL,
    flagged INTEGER NOT NULL DEFAULT 0,
    risk TEXT,
    scorer_version TEXT,
    -- Feed position: assigned once, when the ad is first flagged, from a counter that only
    -- grows, so cursor pages stay stable while ads arrive.
    flag_seq INTEGER UNIQUE,
    flagged_at INTEGER
);
CREATE INDEX ads_feed ON ads (flag_seq) WHERE flag_seq IS NOT NULL;
CREATE INDEX ads_simhash ON ads (simhash) WHERE simhash IS NOT NULL;

CREATE TABLE ad_urls (
    ad_id TEXT NOT NULL REFERENCES ads (id),
    url TEXT NOT NULL,
    source TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (ad_id, url)
) WITHOUT ROWID;
CREATE INDEX ad_urls_url ON ad_urls (url);

CREATE TABLE scores (
    id INTEGER PRIMARY KEY,
    ad_id TEXT NOT NULL REFERENCES ads (id),
    scorer TEXT NOT NULL,
    version TEXT NOT NULL,
    score REAL NOT NULL,
    flagged INTEGER NOT NULL,
    risk TEXT NOT NULL,
    result TEXT NOT NULL,
    scored_at INTEGER NOT NULL
);
CREATE INDEX scores_ad ON scores (ad_id, id);

-- Red flags and entities of each ad's latest score, for filtering and linking.
CREATE TABLE ad_flags (
    ad_id TEXT NOT NULL REFERENCES ads (id),
    flag_id TEXT NOT NULL,
    PRIMARY KEY (ad_id, flag_id)
) WITHOUT ROWID;
CREATE INDEX ad_flags_flag ON ad_flags (flag_id, ad_id);

CREATE TABLE entities (
    ad_id TEXT NOT NULL REFERENCES ads (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (ad_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX entities_value ON entities (kind, value);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);

CREATE TABLE frontier (
    url TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed', 'skipped')),
    next_fetch_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER NOT NULL REFERENCES crawl_runs (id),
    parent TEXT,
    etag TEXT,
    last_modified TEXT,
    lastmod TEXT,
    fetched_at INTEGER,
    status INTEGER,
    error TEXT
) WITHOUT ROWID;
CREATE INDEX frontier_queue ON frontier (state, next_fetch_at);

-- Ads sighted during a crawl run: what that run writes out.
CREATE TABLE run_ads (
    run_id INTEGER NOT NULL REFERENCES crawl_runs (id),
    ad_id TEXT NOT NULL REFERENCES ads (id),
    seq INTEGER NOT NULL,
    PRIMARY KEY (run_id, ad_id)
) WITHOUT ROWID;

CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    token_hint TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    ad_id TEXT NOT NULL REFERENCES ads (id),
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    note TEXT,
    reviewed_at INTEGER NOT NULL
);
CREATE INDEX reviews_ad ON reviews (ad_id, partner_id, id);

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    ad_id TEXT NOT NULL REFERENCES ads (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT,
    UNIQUE (webhook_id, ad_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    attempted_at INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    partner_id INTEGER,
    action TEXT NOT NULL,
    target TEXT,
    outcome INTEGER NOT NULL,
    detail TEXT
);
"#,
];
