//! E-mail addresses, including obfuscated ones (`name [at] example [dot] com`,
//! `rekrut(at)perusahaan.co.id`), lower-cased and de-obfuscated.

use std::sync::LazyLock;

use regex::Regex;

use super::{EntityKind, Extractor};

const EMAIL_AT: &str = r"(?:[ \t]*[\[({<][ \t]*(?:at|@)[ \t]*[\])}>][ \t]*|[@＠])";
const EMAIL_DOT: &str = r"(?:[ \t]*[\[({<][ \t]*(?:dot|\.)[ \t]*[\])}>][ \t]*|\.)";

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let label = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    Regex::new(&format!(
        r"(?i)[a-z0-9._%+-]+{EMAIL_AT}{label}(?:{EMAIL_DOT}{label})*{EMAIL_DOT}[a-z]{{2,24}}"
    ))
    .expect("email regex")
});

static EMAIL_AT_OBFUSCATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){EMAIL_AT}")).expect("email at regex"));
static EMAIL_DOT_OBFUSCATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){EMAIL_DOT}")).expect("email dot regex"));

impl Extractor<'_> {
    /// Reports e-mail addresses and claims their spans.
    pub(super) fn emails(&mut self) {
        for m in EMAIL.find_iter(self.text) {
            let lead = m.as_str().len() - m.as_str().trim_start_matches('.').len();
            let (start, end) = (m.start() + lead, m.end());
            if let Some(value) = normalise_email(&self.text[start..end]) {
                self.claimed.push((start, end));
                self.push(EntityKind::Email, value, start, end);
            }
        }
    }
}

/// Lower-cases and de-obfuscates an e-mail address.
fn normalise_email(raw: &str) -> Option<String> {
    let at = EMAIL_AT_OBFUSCATED.replace_all(raw, "@");
    let value = EMAIL_DOT_OBFUSCATED.replace_all(&at, ".").to_lowercase();
    let (local, domain) = value.split_once('@')?;
    let ok = !local.is_empty() && domain.contains('.') && !domain.contains('@');
    ok.then_some(value)
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{evidence, find, one};

    #[test]
    fn emails() {
        let ad = "Gửi CV về Tuyen.Dung@Example.COM.";
        assert_eq!(find(ad, None), one(Email, "tuyen.dung@example.com"));
        assert_eq!(evidence(ad, None), vec!["Tuyen.Dung@Example.COM"]);
        assert_eq!(
            find("hr [at] example [dot] com", None),
            one(Email, "hr@example.com")
        );
        assert_eq!(
            find("Kirim lamaran: rekrut(at)perusahaan.co.id", None),
            one(Email, "rekrut@perusahaan.co.id")
        );
        assert_eq!(
            find("邮箱jobs@example.cn联系", None),
            one(Email, "jobs@example.cn")
        );
    }
}
