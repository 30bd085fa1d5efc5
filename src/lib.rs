//! verdikt: a rules engine for eligibility decisions.
//!
//! The pipeline, one module per stage:
//! `grammar/verdikt.pest` -> [`syntax`] (pest pairs -> [`ast`]) ->
//! [`check`] (names, types, presence; compiled into [`ir`]) -> [`eval`]
//! (a record -> [`decision`]) -> [`explain`] (for people). Snapshot readers
//! live in [`snapshot`], the canonical printer of rule files in [`format`],
//! the command line in `cli/`.
//!
//! ```no_run
//! let checked = verdikt::check_dir(std::path::Path::new("rules")).unwrap();
//! let policy = checked.policy.expect("rules are valid");
//! let mode = verdikt::Mode { reasons: true, explain: false, trace: false };
//! let decision = policy.decide_json(r#"{"merchant_id": "M1"}"#, mode);
//! ```

pub mod ast;
pub mod atomic_file;
pub mod batch;
pub mod calendar;
pub mod cases;
pub mod check;
pub mod coverage;
pub mod decimal;
pub mod decision;
pub mod diagnostic;
pub mod eval;
pub mod explain;
pub mod format;
pub mod gen;
pub mod impact;
pub mod ir;
mod num;
pub mod policy;
pub mod snapshot;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod types;
pub mod value;

pub use decision::{Decision, OutputValue, RulesetDecision};
pub use diagnostic::{Code, Diagnostic, ErrorFormat, Severity};
pub use eval::{EvalError, Mode, TraceStep, Unmet};
pub use explain::{explain, trace};
pub use ir::Policy;
pub use policy::{check_dir, check_files, Checked, FilePlace, LoadError};
pub use snapshot::{Problem, Record, RecordError};
pub use span::{Source, SourceMap};
