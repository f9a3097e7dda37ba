//! The audit log of the server: who called what, on what, when, and how it ended.
//!
//! Requests hand their entries to a channel and go on; a background task writes whatever has
//! gathered in one transaction, so audit writes never queue requests behind each other on the
//! database. The task starts with the first entry (inside the server's runtime) and [`AuditLog::flush`]
//! waits until everything handed over so far is written: the server calls it on shutdown. If the
//! channel is ever full, an entry is written directly instead of being dropped.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::store::Store;
use crate::store::partner::AuditEntry;

/// Entries waiting to be written before a request writes its own directly.
const CHANNEL_CAPACITY: usize = 16_384;

/// Most entries written in one transaction.
const BATCH: usize = 512;

enum Message {
    Entry(AuditEntry),
    Flush(oneshot::Sender<()>),
}

struct Inner {
    store: Arc<dyn Store>,
    sender: mpsc::Sender<Message>,
    receiver: Mutex<Option<mpsc::Receiver<Message>>>,
}

/// A buffered writer of audit entries. Cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog").finish_non_exhaustive()
    }
}

impl AuditLog {
    /// A log writing to `store`.
    pub fn new(store: Arc<dyn Store>) -> AuditLog {
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        AuditLog {
            inner: Arc::new(Inner {
                store,
                sender,
                receiver: Mutex::new(Some(receiver)),
            }),
        }
    }

    /// Hands an entry over for writing.
    pub fn record(&self, entry: AuditEntry) {
        self.start();
        match self.inner.sender.try_send(Message::Entry(entry)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Message::Entry(entry)))
            | Err(mpsc::error::TrySendError::Closed(Message::Entry(entry))) => {
                let store = self.inner.store.clone();
                let write = move || write_batch(store.as_ref(), &[entry]);
                match tokio::runtime::Handle::try_current() {
                    Ok(handle) => drop(handle.spawn_blocking(write)),
                    Err(_) => write(),
                }
            }
            Err(_) => {}
        }
    }

    /// Waits until every entry handed over before this call is written.
    pub async fn flush(&self) {
        self.start();
        let (done, wait) = oneshot::channel();
        if self.inner.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Starts the writing task if it is not running and a runtime is available.
    fn start(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let receiver = self
            .inner
            .receiver
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(receiver) = receiver {
            handle.spawn(run(self.inner.store.clone(), receiver));
        }
    }
}

/// Writes entries as they gather, until every sender is gone.
async fn run(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Message>) {
    let mut messages = Vec::with_capacity(BATCH);
    loop {
        messages.clear();
        if receiver.recv_many(&mut messages, BATCH).await == 0 {
            return;
        }
        let mut entries = Vec::with_capacity(messages.len());
        let mut waiting = Vec::new();
        for message in messages.drain(..) {
            match message {
                Message::Entry(entry) => entries.push(entry),
                Message::Flush(done) => waiting.push(done),
            }
        }
        if !entries.is_empty() {
            let store = store.clone();
            let written =
                tokio::task::spawn_blocking(move || write_batch(store.as_ref(), &entries));
            if let Err(e) = written.await {
                tracing::error!(error = %e, "Audit writer stopped unexpectedly.");
            }
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

/// Writes entries, trying twice; entries that cannot be written go to the log instead.
fn write_batch(store: &dyn Store, entries: &[AuditEntry]) {
    let mut result = store.audit(entries);
    if result.is_err() {
        result = store.audit(entries);
    }
    if let Err(e) = result {
        tracing::error!(error = %e, count = entries.len(), "Audit entries could not be stored.");
        for entry in entries {
            tracing::warn!(
                at = entry.at,
                partner = ?entry.partner_id,
                action = %entry.action,
                target = ?entry.target,
                outcome = entry.outcome,
                "Audit entry not stored."
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    fn entry(i: u16) -> AuditEntry {
        AuditEntry {
            at: i64::from(i),
            partner_id: None,
            action: "GET /v1/flagged".into(),
            target: Some(format!("/v1/flagged?n={i}")),
            outcome: 200 + i,
            detail: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn entries_are_written_in_batches_and_flush_waits_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
        let log = AuditLog::new(store.clone());
        for i in 0..1000 {
            log.clone().record(entry(i % 100));
        }
        log.flush().await;
        assert_eq!(store.audit_log(5000).unwrap().len(), 1000);
        log.record(entry(7));
        log.flush().await;
        assert_eq!(store.audit_log(1).unwrap()[0].outcome, 207);
    }

    #[test]
    fn without_a_runtime_entries_wait_and_a_full_channel_writes_directly() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
        let log = AuditLog::new(store.clone());
        for i in 0..(CHANNEL_CAPACITY + 3) {
            log.record(entry((i % 50) as u16));
        }
        assert_eq!(
            store.audit_log(10).unwrap().len(),
            3,
            "overflow written at once"
        );
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(log.flush());
        assert_eq!(
            store.audit_log(100_000).unwrap().len(),
            CHANNEL_CAPACITY + 3
        );
    }
}
