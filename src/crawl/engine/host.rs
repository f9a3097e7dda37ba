//! What the crawl loop keeps per host.

use std::collections::VecDeque;
use std::time::Instant;

use super::super::politeness::{HostPacer, PolitenessConfig};
use super::super::robots::RobotsPolicy;
use crate::store::QueuedUrl;

/// Where a host's robots.txt stands.
#[derive(Debug)]
pub(super) enum RobotsState {
    /// Not fetched yet.
    Unknown,
    /// Being fetched.
    Fetching,
    /// The server erred or was unreachable: ask again at `until`.
    Waiting { until: Instant },
    /// Known.
    Ready(RobotsPolicy),
    /// Kept failing (5xx or unreachable): the host's URLs wait in the store for the next run.
    Unavailable,
    /// Could never be fetched (a private address, a redirect loop): the host's URLs fail too.
    Refused { kind: String, reason: String },
}

/// One host: its queue, its pacer and its robots.txt.
#[derive(Debug)]
pub(super) struct Host {
    pub queue: VecDeque<QueuedUrl>,
    pub pacer: HostPacer,
    pub robots: RobotsState,
    pub robots_attempts: u32,
    /// Pages requested from the host in this run, earlier processes of a resumed run included
    /// (robots.txt not counted).
    pub fetched: u64,
}

impl Host {
    pub fn new(politeness: &PolitenessConfig, robots: RobotsState) -> Host {
        Host {
            queue: VecDeque::new(),
            pacer: HostPacer::new(politeness),
            robots,
            robots_attempts: 0,
            fetched: 0,
        }
    }
}
