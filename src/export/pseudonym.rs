//! Pseudonymised exports: contacts replaced by keyed hashes.
//!
//! A partner may be allowed to link ads that share a recruiter's phone number or chat handle
//! without being given the contact itself. Each phone number, chat handle and e-mail address is
//! replaced by `<kind>:<16 hex digits>`, the start of HMAC-SHA256(key, `<kind>:<normalised
//! value>`). The same contact always gets the same pseudonym under one key, however it was
//! written (`081 234 5678` and `+66 81 234 5678` are one number); without the key a pseudonym
//! cannot be turned back into the contact, or recomputed from a guessed one. Web links are kept:
//! they are where an ad was published, not a person's contact; except links on chat services
//! (`t.me/<name>`, `wa.me/<number>`, `line.me/...`), which name the recruiter's account and are
//! replaced like any other contact.
//!
//! Only contacts that Lurewatch recognises are replaced; a number written in a way the contact
//! extraction does not read stays in the text.

use std::ops::Range;
use std::path::Path;

use hmac::{KeyInit, Mac};

use super::FeedItem;
use crate::features::entities::{EntityKind, find_entities};
use crate::store::entity_kind_name;
use crate::store::partner::hex;

/// Hosts whose links name a person's chat account rather than a publication.
const CHAT_HOSTS: &[&str] = &[
    "t.me",
    "telegram.me",
    "telegram.dog",
    "wa.me",
    "api.whatsapp.com",
    "chat.whatsapp.com",
    "line.me",
    "lin.ee",
    "zalo.me",
    "open.kakao.com",
    "pf.kakao.com",
    "u.wechat.com",
];

/// Whether a URL is a link to a chat account (see [`CHAT_HOSTS`]).
pub fn is_chat_link(url: &str) -> bool {
    url::Url::parse(url.trim()).ok().is_some_and(|u| {
        u.host_str().is_some_and(|host| {
            let host = host.trim_start_matches("www.");
            CHAT_HOSTS.iter().any(|h| host.eq_ignore_ascii_case(h))
        })
    })
}

/// Shortest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// How far gaps between replaced contacts are searched again for contacts that the first search
/// reported only once.
const MAX_DEPTH: usize = 3;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read.
    #[error("cannot read the key file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The key is too short to keep pseudonyms from being reversed by guessing.
    #[error(
        "the key in {path} is {len} bytes; use at least {MIN_KEY_BYTES} random bytes, for example: head -c 32 /dev/urandom > {path}"
    )]
    TooShort {
        /// The file.
        path: String,
        /// Its length.
        len: usize,
    },
}

/// Replaces contacts by keyed hashes.
#[derive(Clone)]
pub struct Pseudonymiser {
    key: Vec<u8>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser { key: <hidden> }")
    }
}

impl Pseudonymiser {
    /// A pseudonymiser with this key (at least [`MIN_KEY_BYTES`] bytes).
    pub fn new(key: &[u8]) -> Option<Pseudonymiser> {
        (key.len() >= MIN_KEY_BYTES).then(|| Pseudonymiser { key: key.to_vec() })
    }

    /// A pseudonymiser with the key in a file (its bytes as they are).
    pub fn from_key_file(path: &Path) -> Result<Pseudonymiser, KeyError> {
        let key = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Pseudonymiser::new(&key).ok_or_else(|| KeyError::TooShort {
            path: path.display().to_string(),
            len: key.len(),
        })
    }

    /// The pseudonym of a contact: `kind:` and the first 16 hex digits of
    /// HMAC-SHA256(key, `kind:value`), `value` being the normalised contact.
    pub fn pseudonym(&self, kind: &str, value: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail; fall back to a fixed mark.
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) else {
            return format!("{kind}:hidden");
        };
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("{kind}:{}", &hex(&digest)[..16])
    }

    /// Replaces every contact in an item: in its title, text, contact field and evidence, and
    /// in its contact list. Links are kept.
    pub fn item(&self, item: &mut FeedItem) {
        let region = item.region;
        let mut known: Vec<(String, String)> = Vec::new();
        for field in [Some(&item.text), item.title.as_ref(), item.contact.as_ref()]
            .into_iter()
            .flatten()
        {
            for entity in find_entities(field, region) {
                if entity.kind != EntityKind::Url {
                    let raw = field[entity.start..entity.end].to_string();
                    let pseudonym = self.pseudonym(&entity_kind_name(entity.kind), &entity.value);
                    known.push((raw, pseudonym));
                }
            }
        }
        known.retain(|(raw, _)| !raw.trim().is_empty());
        known.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        known.dedup();
        item.text = self.text(&item.text, region, &known);
        item.title = item.title.take().map(|t| self.text(&t, region, &known));
        item.contact = item.contact.take().map(|c| self.text(&c, region, &known));
        for evidence in &mut item.evidence {
            evidence.text = self.text(&evidence.text, region, &known);
        }
        for contact in &mut item.contacts {
            if contact.kind != "url" || is_chat_link(&contact.value) {
                contact.value = self.pseudonym(&contact.kind, &contact.value);
            }
        }
        if item.url.as_deref().is_some_and(is_chat_link) {
            item.url = item.url.take().map(|u| self.pseudonym("url", &u));
        }
        for url in &mut item.urls {
            if is_chat_link(url) {
                *url = self.pseudonym("url", url);
            }
        }
    }

    /// `text` with every contact found in it, and every occurrence of a `known` raw contact,
    /// replaced by its pseudonym.
    pub fn text(&self, text: &str, region: Option<&str>, known: &[(String, String)]) -> String {
        self.text_at_depth(text, region, known, 0)
    }

    fn text_at_depth(
        &self,
        text: &str,
        region: Option<&str>,
        known: &[(String, String)],
        depth: usize,
    ) -> String {
        let spans = self.spans(text, region, known);
        if spans.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        // Contact extraction reports a repeated contact once: search the gaps again.
        let gap = |range: Range<usize>| {
            let part = &text[range];
            if depth < MAX_DEPTH {
                self.text_at_depth(part, region, known, depth + 1)
            } else {
                part.to_string()
            }
        };
        for (range, pseudonym) in spans {
            out.push_str(&gap(at..range.start));
            out.push_str(&pseudonym);
            at = range.end;
        }
        out.push_str(&gap(at..text.len()));
        out
    }

    /// Non-overlapping spans of contacts in `text`, in order, with their pseudonyms.
    fn spans(
        &self,
        text: &str,
        region: Option<&str>,
        known: &[(String, String)],
    ) -> Vec<(Range<usize>, String)> {
        let mut found: Vec<(Range<usize>, String)> = find_entities(text, region)
            .into_iter()
            .filter(|e| e.kind != EntityKind::Url)
            .map(|e| {
                let pseudonym = self.pseudonym(&entity_kind_name(e.kind), &e.value);
                (e.start..e.end, pseudonym)
            })
            .collect();
        for (raw, pseudonym) in known {
            for (start, _) in text.match_indices(raw.as_str()) {
                found.push((start..start + raw.len(), pseudonym.clone()));
            }
        }
        found.sort_by(|a, b| {
            a.0.start
                .cmp(&b.0.start)
                .then_with(|| b.0.end.cmp(&a.0.end))
        });
        let mut kept: Vec<(Range<usize>, String)> = Vec::with_capacity(found.len());
        let mut end = 0;
        for (range, pseudonym) in found {
            if range.start >= end && range.end > range.start {
                end = range.end;
                kept.push((range, pseudonym));
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Contact;
    use crate::export::tests::sample;

    fn pseudonymiser() -> Pseudonymiser {
        Pseudonymiser::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn pseudonyms_are_keyed_stable_and_short() {
        let p = pseudonymiser();
        let a = p.pseudonym("phone", "+66812345678");
        assert!(a.starts_with("phone:"));
        assert_eq!(a.len(), "phone:".len() + 16);
        assert_eq!(a, p.pseudonym("phone", "+66812345678"));
        assert_ne!(a, p.pseudonym("whatsapp", "+66812345678"));
        let other = Pseudonymiser::new(b"another key of sixteen+ bytes").unwrap();
        assert_ne!(a, other.pseudonym("phone", "+66812345678"));
        assert!(Pseudonymiser::new(b"short").is_none());
    }

    #[test]
    fn every_contact_in_an_item_is_replaced_and_links_are_kept() {
        let p = pseudonymiser();
        let mut item = FeedItem {
            text: "Call +66 81 234 5678 now! Again: +66 81 234 5678. Telegram @kh_hr_desk, \
                   mail hr.desk@example.com, site https://jobs.example/apply"
                .into(),
            title: Some("Job — Telegram @kh_hr_desk".into()),
            contact: Some("WhatsApp +66 81 234 5678".into()),
            contacts: vec![
                Contact {
                    kind: "phone".into(),
                    value: "+66812345678".into(),
                },
                Contact {
                    kind: "url".into(),
                    value: "https://jobs.example/apply".into(),
                },
            ],
            ..sample()
        };
        item.evidence[0].text = "Telegram @kh_hr_desk".into();
        p.item(&mut item);
        let all = serde_json::to_string(&item).unwrap();
        for secret in ["234 5678", "812345678", "kh_hr_desk", "hr.desk@example.com"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        let phone = p.pseudonym("phone", "+66812345678");
        assert_eq!(item.text.matches(&phone).count(), 2, "{}", item.text);
        assert!(item.text.contains("https://jobs.example/apply"));
        assert!(item.text.contains(&p.pseudonym("telegram", "@kh_hr_desk")));
        assert_eq!(item.contacts[0].value, phone);
        assert_eq!(item.contacts[1].value, "https://jobs.example/apply");
    }

    #[test]
    fn links_to_chat_accounts_are_replaced_but_publication_links_kept() {
        let p = pseudonymiser();
        let mut item = FeedItem {
            url: Some("https://t.me/kh_jobs_vip/121".into()),
            urls: vec![
                "https://t.me/kh_jobs_vip/121".into(),
                "https://jobs.example/ad/9".into(),
            ],
            ..sample()
        };
        p.item(&mut item);
        let all = serde_json::to_string(&item).unwrap();
        assert!(!all.contains("kh_jobs_vip"), "{all}");
        assert!(item.urls.contains(&"https://jobs.example/ad/9".to_string()));
        assert!(item.url.as_deref().unwrap().starts_with("url:"));
        assert!(is_chat_link("https://wa.me/66812345678"));
        assert!(!is_chat_link("https://jobs.example/t.me"));
    }

    #[test]
    fn a_short_key_file_is_refused_with_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, b"abc").unwrap();
        let err = Pseudonymiser::from_key_file(&path).unwrap_err();
        assert!(err.to_string().contains("head -c 32 /dev/urandom"), "{err}");
        let missing = Pseudonymiser::from_key_file(&dir.path().join("none")).unwrap_err();
        assert!(missing.to_string().contains("cannot read the key file"));
    }
}
