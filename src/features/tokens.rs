//! Subword tokens: the text features the classifier learns from.
//!
//! A Unigram subword model (the `tokenizers` crate) trained on our own corpus and shipped as
//! `models/tokenizer.json`. It reads text that [`normalize`](super::normalize::normalize) has
//! already folded, so `p@ssp0rt` and `passport` give the same tokens, and Thai, Khmer or Burmese
//! marks are still there. The pre-tokenizer is Metaspace: it splits on spaces only, so Chinese,
//! Japanese, Thai, Khmer and Burmese runs (written without spaces) reach the Unigram model whole
//! and it learns their frequent pieces (`包吃包住`, `เงินเดือน`) from the corpus. Unigram rather
//! than BPE or WordPiece because it segments unspaced scripts into useful pieces from little data
//! and has a fallback to single characters; unknown characters map to `<unk>`.
//!
//! The tokenizer is loaded from disk or from the copy compiled into the binary; never from the
//! network.

use std::path::Path;

use sha2::{Digest, Sha256};
use tokenizers::models::TrainerWrapper;
use tokenizers::models::unigram::{Unigram, UnigramTrainer};
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::{AddedToken, Tokenizer};

/// The tokenizer shipped in `models/`, compiled into the binary.
pub const EMBEDDED_TOKENIZER: &str = include_str!("../../models/tokenizer.json");

/// The unknown-piece token.
const UNK: &str = "<unk>";

/// Why a tokenizer could not be trained, loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// Reading or writing the file failed.
    #[error("tokenizer file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The `tokenizers` library refused.
    #[error("tokenizer {what}: {message}")]
    Library {
        /// What was being done.
        what: &'static str,
        /// The library's message.
        message: String,
    },
}

fn library(what: &'static str) -> impl Fn(tokenizers::Error) -> TokensError {
    move |e| TokensError::Library {
        what,
        message: e.to_string(),
    }
}

/// A trained subword tokenizer and the hash of its file.
#[derive(Clone)]
pub struct Tokens {
    tokenizer: Tokenizer,
    json: String,
    sha256: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("vocab_size", &self.vocab_size())
            .field("sha256", &self.sha256)
            .finish()
    }
}

impl Tokens {
    /// Trains a tokenizer on normalised texts. Deterministic for the same texts and size.
    pub fn train<'a>(
        texts: impl Iterator<Item = &'a str> + Send,
        vocab_size: u32,
    ) -> Result<Tokens, TokensError> {
        let mut tokenizer = Tokenizer::new(Unigram::default());
        tokenizer.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::Always, true)));
        let trainer = UnigramTrainer::builder()
            .show_progress(false)
            .vocab_size(vocab_size)
            .special_tokens(vec![AddedToken::from(UNK, true)])
            .unk_token(Some(UNK.to_string()))
            .max_piece_length(12)
            .build()
            .map_err(|e| TokensError::Library {
                what: "trainer settings",
                message: e.to_string(),
            })?;
        let mut trainer = TrainerWrapper::from(trainer);
        tokenizer
            .train(&mut trainer, texts)
            .map_err(library("training"))?;
        let json = tokenizer
            .to_string(true)
            .map_err(library("serialisation"))?;
        Tokens::from_json(&canonical(&json)?)
    }

    /// The tokenizer compiled into the binary.
    pub fn embedded() -> Result<Tokens, TokensError> {
        Tokens::from_json(EMBEDDED_TOKENIZER)
    }

    /// Loads a tokenizer file.
    pub fn load(path: &Path) -> Result<Tokens, TokensError> {
        let json = std::fs::read_to_string(path).map_err(|source| TokensError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Tokens::from_json(&json)
    }

    /// A tokenizer from the text of its file.
    pub fn from_json(json: &str) -> Result<Tokens, TokensError> {
        let tokenizer: Tokenizer = json.parse().map_err(library("file"))?;
        Ok(Tokens {
            tokenizer,
            sha256: Sha256::digest(json.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            json: json.to_string(),
        })
    }

    /// Writes the tokenizer file.
    pub fn save(&self, path: &Path) -> Result<(), TokensError> {
        std::fs::write(path, &self.json).map_err(|source| TokensError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// SHA-256 of the tokenizer file, hex: a model records it to detect a changed tokenizer.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// Token ids of a normalised text. A text the library cannot encode gives no tokens.
    pub fn encode(&self, normalized: &str) -> Vec<u32> {
        self.tokenizer
            .encode_fast(normalized, false)
            .map(|e| e.get_ids().to_vec())
            .unwrap_or_default()
    }

    /// Token ids of a normalised text with the byte range of the text each one covers.
    pub fn encode_with_offsets(&self, normalized: &str) -> (Vec<u32>, Vec<(usize, usize)>) {
        // `encode_fast` skips offset tracking; `encode` keeps byte offsets.
        self.tokenizer
            .encode(normalized, false)
            .map(|e| (e.get_ids().to_vec(), e.get_offsets().to_vec()))
            .unwrap_or_default()
    }

    /// The piece a token id stands for, readable (`▁` word marks shown as spaces).
    pub fn piece(&self, id: u32) -> String {
        self.tokenizer
            .id_to_token(id)
            .map(|t| t.replace('▁', " ").trim().to_string())
            .unwrap_or_default()
    }
}

/// Makes a trained Unigram file reproducible. The trainer sums floats in hash-map order, so the
/// last digits of piece scores vary between runs and near-equal pieces swap places (and ids).
/// Scores are rounded to six decimals and pieces after `<unk>` sorted by score, then text.
fn canonical(json: &str) -> Result<String, TokensError> {
    let bad = |message: String| TokensError::Library {
        what: "canonical form",
        message,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let vocab = value
        .pointer_mut("/model/vocab")
        .and_then(|v| v.as_array_mut())
        .ok_or_else(|| bad("no model.vocab".into()))?;
    let mut pieces: Vec<(String, f64)> = vocab
        .iter()
        .filter_map(|e| Some((e.get(0)?.as_str()?.to_string(), e.get(1)?.as_f64()?)))
        .collect();
    let keep = usize::from(pieces.first().is_some_and(|(p, _)| p == UNK));
    for (_, score) in &mut pieces {
        *score = (*score * 1e6).round() / 1e6;
    }
    // Characters added only to cover the alphabet get made-up scores: the lowest score, plus
    // 0.0001 per character before them in hash-map order. Hand those scores out in character
    // order instead.
    const STEP: f64 = 1e-4;
    let lowest = pieces[keep..]
        .iter()
        .map(|(_, s)| *s)
        .fold(f64::INFINITY, f64::min);
    let singles = pieces[keep..]
        .iter()
        .filter(|(p, _)| p.chars().count() == 1)
        .count();
    let is_filler = |(p, s): &(String, f64)| {
        let steps = (s - lowest) / STEP;
        p.chars().count() == 1
            && (steps - steps.round()).abs() < 1e-3
            && steps < singles as f64 + 1.0
    };
    let mut fillers: Vec<usize> = (keep..pieces.len())
        .filter(|&i| is_filler(&pieces[i]))
        .collect();
    let mut scores: Vec<f64> = fillers.iter().map(|&i| pieces[i].1).collect();
    scores.sort_by(f64::total_cmp);
    fillers.sort_by(|&a, &b| pieces[a].0.cmp(&pieces[b].0));
    for (i, score) in fillers.into_iter().zip(scores) {
        pieces[i].1 = score;
    }
    pieces[keep..].sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    *vocab = pieces
        .into_iter()
        .map(|(p, s)| serde_json::json!([p, s]))
        .collect();
    serde_json::to_string_pretty(&value).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::normalize::normalize;

    fn corpus() -> Vec<String> {
        let lines = [
            "Free flight and visa, send a photo of your passport on Telegram",
            "包吃包住 月薪3万 护照由公司保管",
            "งานสบาย รายได้ดี ไม่ต้องมีประสบการณ์ ส่งรูปหนังสือเดินทาง",
            "việc nhẹ lương cao bao ăn ở",
            "Hotel front desk in Phnom Penh, NSSF and paid leave",
        ];
        (0..20)
            .flat_map(|_| lines.iter().map(|l| normalize(l).as_str().to_string()))
            .collect()
    }

    #[test]
    fn training_is_deterministic_and_round_trips() {
        let texts = corpus();
        let a = Tokens::train(texts.iter().map(String::as_str), 200).unwrap();
        let b = Tokens::train(texts.iter().map(String::as_str), 200).unwrap();
        assert_eq!(a.sha256(), b.sha256());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        a.save(&path).unwrap();
        let c = Tokens::load(&path).unwrap();
        let text = normalize("P@SSPORT photo on Te1egram, 包吃包住")
            .as_str()
            .to_string();
        assert_eq!(a.encode(&text), c.encode(&text));
        assert_eq!(a.sha256(), c.sha256());
    }

    #[test]
    fn the_shipped_tokenizer_splits_unspaced_scripts_into_pieces_and_keeps_marks() {
        let tokens = Tokens::embedded().unwrap();
        for text in [
            "รายได้ดี ไม่ต้องมีประสบการณ์",
            "包吃包住，月薪三万",
            "ប្រាក់ខែខ្ពស់",
            "လစာကောင်း",
            "पासपोर्ट जमा करना होगा",
        ] {
            let normalized = normalize(text).as_str().to_string();
            let ids = tokens.encode(&normalized);
            let pieces: Vec<String> = ids.iter().map(|&i| tokens.piece(i)).collect();
            assert_eq!(
                pieces.concat(),
                normalized.replace(' ', ""),
                "pieces rebuild {text} with its marks"
            );
            assert!(!pieces.iter().any(|p| p == UNK), "{text}: {pieces:?}");
            let multi = pieces.iter().filter(|p| p.chars().count() > 1).count();
            assert!(multi > 0, "{text}: no multi-character piece in {pieces:?}");
        }
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let err = Tokens::from_json("{not json").unwrap_err().to_string();
        assert!(err.starts_with("tokenizer file:"), "{err}");
    }
}
