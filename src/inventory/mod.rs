//! Inventory: walking a delivery folder and knowing what each file is by its content.

pub mod sniff;
pub mod walk;
