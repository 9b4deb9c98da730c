//! Command-line front end: argument definitions and dispatch to one module per command.

mod args;
mod dispatch;

pub use dispatch::main;
