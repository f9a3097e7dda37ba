//! Flagged ads as JSON Lines: one [`FeedItem`] object per line.

use std::io::{self, Write};

use super::{FeedItem, ItemWriter};

/// Writes items as JSON Lines.
#[derive(Debug)]
pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    /// A writer to `out`.
    pub fn new(out: W) -> JsonlWriter<W> {
        JsonlWriter { out }
    }
}

impl<W: Write> ItemWriter for JsonlWriter<W> {
    fn item(&mut self, item: &FeedItem) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, item).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
