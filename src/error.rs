//! The one error type for bad arguments: which argument and why.
//!
//! Every domain module that checks input returns it, and the facade turns it into a
//! JS `Error` whose message starts with the argument's name, e.g.
//! `count: must not be negative (got -5)`.

use std::fmt;

/// A bad argument: which one and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    pub arg: String,
    pub why: String,
}

impl ArgError {
    pub fn new(arg: impl Into<String>, why: impl Into<String>) -> Self {
        ArgError { arg: arg.into(), why: why.into() }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.arg, self.why)
    }
}

impl std::error::Error for ArgError {}
