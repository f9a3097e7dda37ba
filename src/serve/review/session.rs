//! Logging in to the review page: sessions, the `lw_session` cookie and CSRF tokens.
//!
//! **Why a session id, not the token, in the cookie.** A partner token is a long-lived API
//! credential. Putting it in a cookie would leave it in the browser's cookie store for as long as
//! the cookie lives, readable by anyone with the profile, and a log-out could not end it. So a
//! successful login swaps the token for a random 256-bit session id kept in memory on the server
//! with the *hash* of the token (never the token itself): the cookie holds only the id, sessions
//! end on log-out, after [`IDLE`] without use and after [`LIFETIME`] in any case, and every request
//! looks the partner up again by that hash, so revoking a token logs its sessions out at once.
//! The price is that a restart of the server logs analysts out, which is cheap: they paste
//! their token again.
//!
//! **CSRF.** The cookie is `SameSite=Strict` and `HttpOnly`; in addition every form that changes
//! something carries a token derived from the session id with HMAC-SHA256, checked in constant
//! time. Another site can neither read it nor compute it.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, FORWARDED};
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::store::Millis;
use crate::store::partner::hex;

/// The cookie's name.
pub const COOKIE_NAME: &str = "lw_session";

/// A session ends after this long without a request (2 hours).
pub const IDLE: Millis = 2 * 60 * 60 * 1000;

/// A session ends this long after login whatever happens (12 hours).
pub const LIFETIME: Millis = 12 * 60 * 60 * 1000;

/// Most sessions kept at once; beyond it the least recently used ones are ended.
pub const MAX_SESSIONS: usize = 10_000;

/// A logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The random id the cookie holds.
    pub id: String,
    /// The hash of the partner token used to log in (as the store keeps it).
    pub token_hash: String,
    /// When it started.
    pub created: Millis,
    /// When it was last used.
    pub last_used: Millis,
}

impl Session {
    /// The CSRF token of this session's forms.
    pub fn csrf(&self) -> String {
        csrf_token(&self.id)
    }

    fn expired(&self, now: Millis) -> bool {
        now - self.last_used > IDLE || now - self.created > LIFETIME
    }
}

/// The sessions of one server, in memory.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// No sessions yet.
    pub fn new() -> Sessions {
        Sessions::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic elsewhere while holding the lock leaves a usable map.
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a session for the holder of the token with this hash; returns it.
    pub fn start(&self, token_hash: &str, now: Millis) -> Session {
        let bytes: [u8; 32] = rand::random();
        let session = Session {
            id: hex(&bytes),
            token_hash: token_hash.to_string(),
            created: now,
            last_used: now,
        };
        let mut map = self.lock();
        map.retain(|_, s| !s.expired(now));
        while map.len() >= MAX_SESSIONS {
            let oldest = map
                .values()
                .min_by_key(|s| (s.last_used, s.id.clone()))
                .map(|s| s.id.clone());
            match oldest {
                Some(id) => map.remove(&id),
                None => break,
            };
        }
        map.insert(session.id.clone(), session.clone());
        session
    }

    /// The live session with this id, marked as used now. An expired one is ended.
    pub fn get(&self, id: &str, now: Millis) -> Option<Session> {
        let mut map = self.lock();
        let session = map.get_mut(id)?;
        if session.expired(now) {
            map.remove(id);
            return None;
        }
        session.last_used = now;
        Some(session.clone())
    }

    /// Ends a session.
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Number of sessions held (expired ones included until they are next touched).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The CSRF token for a session id: hex of HMAC-SHA256 keyed with the id.
pub fn csrf_token(session_id: &str) -> String {
    match hmac::Hmac::<Sha256>::new_from_slice(session_id.as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"lurewatch review form");
            hex(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this cannot happen, and an empty token matches nothing.
        Err(_) => String::new(),
    }
}

/// Whether `given` is the CSRF token of the session, compared in constant time.
pub fn csrf_ok(session: &Session, given: &str) -> bool {
    let expected = session.csrf();
    !expected.is_empty()
        && expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The value of a cookie in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().trim_matches('"'))
}

/// Whether the request reached us over HTTPS, as far as can be told: a reverse proxy's
/// `X-Forwarded-Proto: https` or `Forwarded: proto=https`. (The server itself speaks plain HTTP.)
pub fn is_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get(FORWARDED)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split([';', ',']).any(|part| {
                part.trim().split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("proto")
                        && v.trim().trim_matches('"').eq_ignore_ascii_case("https")
                })
            })
        });
    forwarded_proto || forwarded
}

/// The `Set-Cookie` value that logs a browser in.
pub fn set_cookie(session: &Session, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={}; Path=/review; HttpOnly; SameSite=Strict; Max-Age={}{}",
        session.id,
        LIFETIME / 1000,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that logs a browser out.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/review; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn sessions_expire_when_idle_or_old_and_end_on_logout() {
        let sessions = Sessions::new();
        let s = sessions.start("hash", 0);
        assert_eq!(s.id.len(), 64);
        assert_ne!(sessions.start("hash", 0).id, s.id, "ids are random");
        assert_eq!(sessions.get(&s.id, IDLE).unwrap().token_hash, "hash");
        assert!(sessions.get(&s.id, 2 * IDLE + 1).is_none(), "idle too long");
        assert!(
            sessions.get(&s.id, IDLE).is_none(),
            "an expired session is gone"
        );
        let t = sessions.start("hash", 0);
        let mut now = 0;
        while now + IDLE / 2 <= LIFETIME {
            now += IDLE / 2;
            assert!(sessions.get(&t.id, now).is_some());
        }
        assert!(sessions.get(&t.id, LIFETIME + 1).is_none(), "too old");
        let u = sessions.start("hash", 0);
        sessions.end(&u.id);
        assert!(sessions.get(&u.id, 1).is_none());
        assert!(sessions.get("nope", 1).is_none());
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let sessions = Sessions::new();
        let (a, b) = (sessions.start("h", 0), sessions.start("h", 0));
        assert!(csrf_ok(&a, &a.csrf()));
        assert!(!csrf_ok(&a, &b.csrf()));
        assert!(!csrf_ok(&a, ""));
        assert!(!csrf_ok(&a, &a.csrf()[1..]));
        assert_eq!(a.csrf().len(), 64);
    }

    #[test]
    fn cookies_are_found_and_flagged() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; lw_session=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, COOKIE_NAME), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        assert!(!is_https(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("HTTPS"));
        assert!(is_https(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(
            FORWARDED,
            HeaderValue::from_static("for=1.2.3.4;proto=https"),
        );
        assert!(is_https(&headers));
        let s = Sessions::new().start("h", 0);
        let set = set_cookie(&s, false);
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.contains("Path=/review") && !set.contains("Secure"));
        assert!(set_cookie(&s, true).ends_with("; Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
