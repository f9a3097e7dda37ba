//! Lurewatch finds job advertisements that lure people into trafficking for scam centres.
//!
//! The pipeline reads from the module list: [`ad`] is the record
//! every stage passes on, [`features`] normalises text and extracts red flags, salaries and
//! contacts, [`classify`] scores an ad and explains the score, and [`score`] runs batches; the
//! `check` command and the feed use the same pieces.
//!
//! A flag is a lead for a human to review, never an accusation.

pub mod ad;
pub mod check;
pub mod classify;
pub mod features;
pub mod score;
