pub mod span;
pub mod suggest;
pub mod diagnostic;
pub mod ast;
pub mod decimal;
pub mod syntax;
