//! Stage 2 of the pipeline: features. Turns an ad into what the classifier reads.
//!
//! [`normalize`] makes the text matchable whatever its disguise, [`rules`] finds red flags with
//! evidence in the ad's own words, [`salary`] reads pay and converts it to USD per month,
//! [`entities`] pulls out the contacts that link ads from the same recruiter, and
//! [`extract`](mod@extract) puts them together into [`Features`].

pub mod normalize;
pub mod rules;
