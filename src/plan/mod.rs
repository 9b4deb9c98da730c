//! The delivery plan (`signoff.toml`): what a delivery must contain, who
//! owns each item and when it is due; loading with discovery, lint with
//! line:column, matching files to deliverables, `plan init` and CSV import.

pub mod import;
pub mod init;
pub mod lint;
pub mod load;
pub mod matching;
pub mod model;
pub mod render;

pub use load::{discover, load, LoadedPlan, PlanError, PLAN_FILE};
pub use matching::{Matcher, Matching};
pub use model::{Deliverable, Plan, Project};
