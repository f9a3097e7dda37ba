//! robots.txt with RFC 9309 semantics: what a host lets Lurewatch fetch, and how often.
//!
//! The file is parsed by `texting_robots` for Lurewatch's user-agent token. How the fetch of
//! robots.txt itself went decides the policy, as RFC 9309 §2.3.1 says: a 2xx body is obeyed; a
//! 4xx (no robots.txt) allows everything; a 5xx or an unreachable host means "assume complete
//! disallow" for now, so the crawler waits and asks again. A `Crawl-delay` is honoured up to a
//! cap, so one host cannot stall the crawl.

use std::time::Duration;

use texting_robots::Robot;

/// The user-agent token matched against robots.txt groups.
pub const AGENT_TOKEN: &str = "lurewatch";

/// How a robots.txt fetch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsFetch<'a> {
    /// HTTP status and body.
    Response(u16, &'a [u8]),
    /// No response at all (connection refused, timeout, DNS failure).
    Unreachable,
}

/// What a host's robots.txt allows.
#[derive(Debug)]
pub enum RobotsPolicy {
    /// Rules to obey.
    Rules(Box<Robot>),
    /// No usable robots.txt (4xx, or a body that cannot be parsed): everything is allowed.
    AllowAll,
    /// The server erred or could not be reached: fetch nothing from the host until robots.txt
    /// has been fetched again.
    Wait,
}

impl RobotsPolicy {
    /// The policy for a robots.txt fetch result.
    pub fn from_fetch(fetch: RobotsFetch) -> RobotsPolicy {
        match fetch {
            RobotsFetch::Response(status, body) if (200..300).contains(&status) => {
                match Robot::new(AGENT_TOKEN, body) {
                    Ok(robot) => RobotsPolicy::Rules(Box::new(robot)),
                    Err(_) => RobotsPolicy::AllowAll,
                }
            }
            RobotsFetch::Response(status, _) if (400..500).contains(&status) => {
                RobotsPolicy::AllowAll
            }
            RobotsFetch::Response(_, _) | RobotsFetch::Unreachable => RobotsPolicy::Wait,
        }
    }

    /// Whether a URL on this host may be fetched now.
    pub fn allows(&self, url: &str) -> bool {
        match self {
            RobotsPolicy::Rules(robot) => robot.allowed(url),
            RobotsPolicy::AllowAll => true,
            RobotsPolicy::Wait => false,
        }
    }

    /// The host's Crawl-delay for Lurewatch, capped at `cap`.
    pub fn crawl_delay(&self, cap: Duration) -> Option<Duration> {
        match self {
            RobotsPolicy::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(cap)),
            _ => None,
        }
    }

    /// Sitemaps the robots.txt lists.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            RobotsPolicy::Rules(robot) => &robot.sitemaps,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROBOTS: &[u8] = b"User-agent: *\nDisallow: /private\n\nUser-agent: lurewatch\nDisallow: /admin\nAllow: /admin/jobs\nCrawl-delay: 2\n\nSitemap: https://jobs.example/sitemap_index.xml\n";

    #[test]
    fn rules_for_lurewatch_are_obeyed() {
        let policy = RobotsPolicy::from_fetch(RobotsFetch::Response(200, ROBOTS));
        assert!(!policy.allows("https://jobs.example/admin/settings"));
        assert!(policy.allows("https://jobs.example/admin/jobs/7"));
        assert!(
            policy.allows("https://jobs.example/private/x"),
            "the `*` group does not apply when a group names lurewatch"
        );
        assert_eq!(
            policy.crawl_delay(Duration::from_secs(60)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.sitemaps(),
            ["https://jobs.example/sitemap_index.xml"]
        );
    }

    #[test]
    fn crawl_delay_is_capped() {
        let policy = RobotsPolicy::from_fetch(RobotsFetch::Response(
            200,
            b"User-agent: *\nCrawl-delay: 3600\n",
        ));
        assert_eq!(
            policy.crawl_delay(Duration::from_secs(30)),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn status_codes_follow_rfc_9309() {
        let not_found = RobotsPolicy::from_fetch(RobotsFetch::Response(404, b""));
        assert!(not_found.allows("https://jobs.example/anything"));
        let forbidden = RobotsPolicy::from_fetch(RobotsFetch::Response(403, b""));
        assert!(forbidden.allows("https://jobs.example/anything"));
        let error = RobotsPolicy::from_fetch(RobotsFetch::Response(503, b""));
        assert!(!error.allows("https://jobs.example/anything"));
        assert!(
            !RobotsPolicy::from_fetch(RobotsFetch::Unreachable).allows("https://jobs.example/")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_robots_file_is_survived(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let policy = RobotsPolicy::from_fetch(RobotsFetch::Response(200, &body));
            let _ = policy.allows("https://jobs.example/a/b?c=d");
            let _ = policy.crawl_delay(Duration::from_secs(10));
        }
    }
}
