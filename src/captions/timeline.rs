//! A caption file's events on the master's programme time, with the
//! failing ones marked: what the HTML report draws as the event-timing
//! strip. Bounded: at most [`MAX_EVENTS`] events are kept.

use serde::{Deserialize, Serialize};

/// Events kept for the strip (a feature has about 1 500).
pub const MAX_EVENTS: usize = 20_000;

/// The caption file's events, in programme time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaptionTimeline {
    /// The events, in file order (at most [`MAX_EVENTS`]).
    pub events: Vec<TimelineEvent>,
    /// Events in the file (more than `events` holds when it was cut).
    pub event_count: usize,
    /// The master the times are read against, when there is one.
    pub master: Option<String>,
    /// The master's duration: the strip's length (else the last event's end).
    pub master_duration_s: Option<f64>,
    /// How the times were read (`programme-relative …`), in words.
    pub time_base: String,
}

/// One event on the strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// Its number in the file.
    pub number: usize,
    /// Start, seconds of programme time (the file's time minus the origin).
    pub start_s: f64,
    /// End, likewise.
    pub end_s: f64,
    /// The caption rules it fails (failed errors and warnings), by rule id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_rules: Vec<String>,
}

impl CaptionTimeline {
    /// The length the strip spans: the master's duration, else the last end.
    pub fn span_s(&self) -> f64 {
        self.master_duration_s
            .unwrap_or_else(|| self.events.iter().map(|e| e.end_s).fold(0.0, f64::max))
    }
}
