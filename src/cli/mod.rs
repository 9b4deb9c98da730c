//! Command-line front end: argument definitions and dispatch to one module per command.

mod args;
mod dispatch;
mod measure;

pub use dispatch::main;
