//! verdikt: a rules engine for eligibility decisions.
//!
//! Policy authors write rule files in verdikt's language; verdikt checks them
//! against a declared snapshot schema, decides snapshots (JSON, JSONL, YAML,
//! CSV) and explains every decision: which rule decided, with which actual
//! values, and what is missing.
//!
//! The library's face is small: [`check_dir`] (or [`check_files`]) checks
//! rule files into a [`Policy`], which decides snapshots into a
//! [`Decision`] or a [`RecordError`]; [`explain`] and [`trace`] render a
//! decision for people. [`batch`] decides whole inputs in bounded memory,
//! [`gen`] makes synthetic snapshots, and [`cli`] is the `verdikt` command
//! line.
//!
//! ```
//! // A policy is a directory of rule files (`check_dir`), or their texts.
//! let rules = r#"
//! schema snapshot {
//!   merchant_id   text, not empty
//!   store.rating  decimal in 0..5
//! }
//! ruleset limit "额度" {
//!   outcomes raise, hold
//!   rule good when store.rating >= 4.8 then raise
//!   otherwise hold
//! }"#;
//! let checked = verdikt::check_files(vec![("policy.vk".into(), rules.as_bytes().to_vec())]);
//! let Some(policy) = checked.policy else {
//!     return Err(checked.render(verdikt::ErrorFormat::Plain).into());
//! };
//! let mode = verdikt::Mode { reasons: true, explain: false, trace: false };
//! let decision = policy.decide_json(r#"{"merchant_id": "M1", "store": {"rating": "4.8"}}"#, mode)?;
//! assert_eq!(decision.ruleset("limit").map(|d| d.outcome.to_string()).as_deref(), Some("raise"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Inside, the file tree is the pipeline: `grammar/verdikt.pest` -> `syntax`
//! (pest pairs -> `ast`) -> `check` (names, types, presence; compiled into
//! `ir`) -> `eval` (a `record` -> `decision`) -> `explain`, with the snapshot
//! readers (`snapshot`), `batch` and `cli` at the edges.

mod ast;
mod atomic_file;
pub mod batch;
mod builtins;
mod calendar;
mod cases;
mod check;
pub mod cli;
#[cfg(feature = "arrow")]
mod columnar;
mod coverage;
mod decimal;
mod decision;
mod decision_snapshots;
mod diagnostic;
mod doc;
mod eval;
mod explain;
mod format;
pub mod gen;
mod impact;
mod ir;
mod json;
mod language;
pub mod lsp;
mod mutate;
mod names;
mod num;
mod policy;
mod project;
mod record;
mod snapshot;
mod span;
mod suggest;
mod syntax;
mod types;
mod unicode;
mod value;
mod yaml_aliases;

#[cfg(feature = "arrow")]
pub use columnar::{ArrowOptions, ColumnarError};
pub use decision::{Decision, OutputValue, RulesetDecision};
pub use diagnostic::{Code, Diagnostic, ErrorFormat, Severity};
pub use eval::{EvalError, Mode, TraceStep, Unmet};
pub use explain::{explain, trace};
pub use ir::Policy;
pub use language::Language;
pub use policy::{
    check_dir, check_files, read_rule_file, rule_files, Checked, FilePlace, LoadError,
    MAX_RULE_FILE_BYTES,
};
pub use record::{Problem, Record, RecordError};
pub use span::SourceMap;

/// The README's code blocks, compiled and run as doctests so its library
/// example can never go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
