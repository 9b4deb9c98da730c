//! Command-line front end: argument definitions and dispatch to one module per command.

mod approve;
mod args;
mod board;
mod check;
mod check_plan;
mod completions;
mod diff;
mod dispatch;
mod hash;
mod history;
mod markers;
mod measure;
mod note;
mod output;
mod plan;
mod probe;
mod progress;
mod render_probe;
mod report;
mod scan;
mod seal;
mod specs;
mod status;
mod style;

pub use dispatch::main;
