//! Command-line front end: argument definitions and dispatch to one module per command.

mod args;
mod dispatch;
mod output;
mod probe;
mod render_probe;

pub use dispatch::main;
