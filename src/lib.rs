//! Lurewatch finds job advertisements that lure people into trafficking for scam centres.
//!
//! The pipeline reads from the module list: [`crawl`] collects ads from job boards, channel
//! pages, feeds and sitemaps, politely and resumably, [`ad`] is the record every stage passes on,
//! [`features`] normalises and tokenizes text and extracts red flags, salaries and contacts,
//! [`classify`] scores an ad with the trained model and explains the score, [`score`] runs
//! batches and [`check`] writes the report for one ad; [`store`] keeps ads, scores, the crawl
//! frontier and partner data in one embedded database; [`export`] writes flagged ads as JSON
//! Lines, CSV or Atom, and [`serve`] is the partner API and the analysts' review page.
//!
//! A flag is a lead for a human to review, never an accusation.

pub mod ad;
pub mod check;
pub mod classify;
pub mod crawl;
pub mod export;
pub mod features;
pub mod score;
pub mod serve;
pub mod store;
