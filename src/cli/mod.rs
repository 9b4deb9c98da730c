//! Command-line front end: argument definitions and dispatch to one module per command.

mod args;
mod check;
mod dispatch;
mod measure;
mod output;
mod probe;
mod progress;
mod render_probe;
mod report;
mod scan;
mod specs;

pub use dispatch::main;
