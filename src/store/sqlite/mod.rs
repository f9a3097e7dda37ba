//! The SQLite backend: one file, WAL journal, one writer connection and a pool of readers.
//!
//! WAL lets the feed read while the crawler or a scoring run writes. `synchronous = NORMAL` in
//! WAL mode keeps every committed transaction across a crash or `SIGKILL` of the process (only a
//! power cut can lose the last few), which is what the resumable crawl relies on.

mod ads;
mod crawl;
mod feed;
mod partner;

pub use ads::{MAX_PAGE, ad_country};

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Transaction};

use super::StoreError;
use super::schema::MIGRATIONS;

/// Most idle reader connections kept open.
const MAX_IDLE_READERS: usize = 8;

/// A store in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies missing migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let store = SqliteStore {
            writer: Mutex::new(Connection::open(&path).map_err(|e| sql_error(&path, e))?),
            readers: Mutex::new(Vec::new()),
            path,
        };
        {
            let mut conn = store.lock_writer();
            configure(&conn, true).map_err(|e| store.err(e))?;
            migrate(&mut conn, &store.path)?;
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sql_error(&self.path, e)
    }

    fn corrupt(&self, what: impl Into<String>, reason: impl ToString) -> StoreError {
        StoreError::Corrupt {
            path: self.path.display().to_string(),
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back
        // on drop), so a poisoned lock is safe to take over.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in a write transaction, committing if it succeeds.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock_writer();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(value)
    }

    /// Runs `f` on a reader connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| self.err(e))?;
                configure(&conn, false).map_err(|e| self.err(e))?;
                conn
            }
        };
        let value = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        value
    }
}

fn sql_error(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    if found > known {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found,
            known,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction().map_err(|e| sql_error(path, e))?;
        tx.execute_batch(sql).map_err(|e| sql_error(path, e))?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(|e| sql_error(path, e))?;
        tx.commit().map_err(|e| sql_error(path, e))?;
    }
    Ok(())
}

/// Takes the next value of a named counter (starting at 1) inside a write transaction.
fn next_counter(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1
         RETURNING value",
        [name],
        |r| r.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_twice_migrates_once_and_a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(SqliteStore::open(&path).unwrap());
        let store = SqliteStore::open(&path).unwrap();
        let version: i64 = store
            .read(|c| {
                c.query_row("PRAGMA user_version", [], |r| r.get(0))
                    .map_err(|e| store.err(e))
            })
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        store
            .lock_writer()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        drop(store);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade Lurewatch"));
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.db");
        std::fs::write(
            &path,
            b"this is not sqlite, just text long enough to be a header....",
        )
        .unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("not.db"), "{err}");
    }
}
