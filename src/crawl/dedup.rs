//! Near-duplicate detection: an ad re-posted on five sites, with a new phone number or a few
//! emoji, is one ad with five URLs.
//!
//! [`simhash`] fingerprints an ad's normalised text (64 bits over character 4-grams, so it works
//! the same for spaced and unspaced scripts); two ads whose fingerprints differ in at most
//! [`NEAR_DUPLICATE_BITS`] bits are near-duplicates. [`DuplicateIndex`] finds such a match among
//! many fingerprints without comparing against each: it splits fingerprints into
//! `NEAR_DUPLICATE_BITS + 1` bands, and any two within the distance share at least one band
//! exactly (pigeonhole).

use std::collections::HashMap;

use crate::features::normalize::normalize;

/// Largest Hamming distance between the fingerprints of near-duplicates.
pub const NEAR_DUPLICATE_BITS: u32 = 6;
/// Shingle length, in characters.
const SHINGLE: usize = 4;
/// Bands of the index: one more than the distance, so a near-duplicate shares one exactly.
const BANDS: usize = NEAR_DUPLICATE_BITS as usize + 1;

fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Mixes a hash so that its bits are independent enough for SimHash (splitmix64 finaliser).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit SimHash of a text, over character 4-grams of its normalised form (white space
/// removed, so spacing and punctuation changes do not count).
pub fn simhash(text: &str) -> u64 {
    let chars: Vec<char> = normalize(text)
        .as_str()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut weights = [0i64; 64];
    let mut add = |shingle: &[char]| {
        let mut buf = [0u8; 4];
        let h = mix(fnv1a(
            shingle
                .iter()
                .flat_map(|c| c.encode_utf8(&mut buf).as_bytes().to_vec()),
        ));
        for (bit, w) in weights.iter_mut().enumerate() {
            *w += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    };
    if chars.len() < SHINGLE {
        add(&chars);
    } else {
        chars.windows(SHINGLE).for_each(&mut add);
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

/// Number of differing bits.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The band values of a fingerprint: `BANDS` slices of its 64 bits, tagged with their index.
fn bands(hash: u64) -> impl Iterator<Item = (usize, u64)> {
    let width = 64usize.div_ceil(BANDS);
    (0..BANDS).map(move |i| {
        let shift = i * width;
        let mask = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        (i, (hash >> shift) & mask)
    })
}

/// Fingerprints seen so far, findable by near-duplicate.
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    fingerprints: Vec<(String, u64)>,
    by_band: HashMap<(usize, u64), Vec<usize>>,
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> DuplicateIndex {
        DuplicateIndex::default()
    }

    /// The id of a stored ad whose fingerprint is within [`NEAR_DUPLICATE_BITS`] of `hash`, the
    /// closest if several.
    pub fn find(&self, hash: u64) -> Option<&str> {
        let mut best: Option<(u32, usize)> = None;
        for band in bands(hash) {
            for &i in self.by_band.get(&band).into_iter().flatten() {
                let d = distance(self.fingerprints[i].1, hash);
                if d <= NEAR_DUPLICATE_BITS && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, i));
                }
            }
        }
        best.map(|(_, i)| self.fingerprints[i].0.as_str())
    }

    /// Stores a fingerprint under an id.
    pub fn insert(&mut self, id: &str, hash: u64) {
        let index = self.fingerprints.len();
        self.fingerprints.push((id.to_string(), hash));
        for band in bands(hash) {
            self.by_band.entry(band).or_default().push(index);
        }
    }

    /// Number of fingerprints stored.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AD: &str = "Customer service job in Sihanoukville, Cambodia! Salary $1,500/month, no \
        experience needed, just typing. Free air ticket, visa, food and dormitory. Send a photo of \
        your passport to HR on Telegram @kh_hr_desk. Fly this week!";

    #[test]
    fn a_repost_with_small_edits_is_a_near_duplicate() {
        let repost = "🔥 CUSTOMER SERVICE job in Sihanoukville, Cambodia!! Salary $1,500 / month, no \
            experience needed, just typing. Free air ticket, visa, food & dormitory. Send a photo \
            of your passport to HR on Telegram @kh_jobs_2026. Fly this week!";
        let d = distance(simhash(AD), simhash(repost));
        assert!(d <= NEAR_DUPLICATE_BITS, "distance {d}");
    }

    #[test]
    fn different_ads_are_far_apart() {
        let other = "Harbourline Contact Solutions is hiring inbound voice agents in Makati. \
            Basic pay PHP 22,000 plus night differential, HMO, SSS, PhilHealth and 13th month pay.";
        let d = distance(simhash(AD), simhash(other));
        assert!(d > 2 * NEAR_DUPLICATE_BITS, "distance {d}");
        let same_template_other_job = AD
            .replace("Customer service", "Data entry")
            .replace("Sihanoukville", "Myawaddy");
        assert!(distance(simhash(AD), simhash(&same_template_other_job)) > 0);
    }

    #[test]
    fn the_index_finds_near_duplicates_and_only_them() {
        let mut index = DuplicateIndex::new();
        index.insert("a", simhash(AD));
        index.insert(
            "b",
            simhash("Warehouse picker in Leeds, £11.50 per hour, weekly pay."),
        );
        let repost = AD.replace("@kh_hr_desk", "@kh_hr_desk2");
        assert_eq!(index.find(simhash(&repost)), Some("a"));
        assert_eq!(
            index.find(simhash(
                "Cook wanted for a hotel kitchen in Cebu, SSS and PhilHealth."
            )),
            None
        );
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn unspaced_scripts_get_fingerprints_too() {
        let a = simhash("西港正规公司招聘中文客服，底薪1500U+提成，包吃包住，包机票");
        let b = simhash("西港正规公司招聘中文客服!! 底薪1500U+提成 包吃包住 包机票");
        assert!(distance(a, b) <= NEAR_DUPLICATE_BITS);
        assert_ne!(simhash(""), simhash("x"));
    }
}
