//! Field filters (`--event-name`, `--user`, `--region`, ...): each takes exact values or glob
//! patterns, repeated or comma-separated. A record passes a filter when any pattern matches
//! (case-sensitive, as AWS names are); it passes the filters when every given filter passes.

use globset::{Glob, GlobSet, GlobSetBuilder};
use thiserror::Error;

/// A filter pattern that is not a valid glob.
#[derive(Debug, Error)]
#[error("invalid pattern '{pattern}': {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What the glob parser said.
    pub reason: String,
}

/// True when `pattern` has glob syntax (`*`, `?`, `[`, `{`) and is matched as a glob.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// One field's patterns. The default matches everything.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    exact: Vec<String>,
    globs: Option<GlobSet>,
}

impl Matcher {
    /// Builds a matcher; an empty list matches everything. Patterns with `*`, `?`, `[` or `{`
    /// are globs (`*` also matches `/`), others must match exactly.
    pub fn new(patterns: &[String]) -> Result<Self, PatternError> {
        let mut exact = Vec::new();
        let mut globs = GlobSetBuilder::new();
        let mut any_glob = false;
        for p in patterns {
            if is_glob(p) {
                let glob = Glob::new(p).map_err(|e| PatternError {
                    pattern: p.clone(),
                    reason: e.kind().to_string(),
                })?;
                globs.add(glob);
                any_glob = true;
            } else {
                exact.push(p.clone());
            }
        }
        let globs = if any_glob {
            Some(globs.build().map_err(|e| PatternError {
                pattern: patterns.join(","),
                reason: e.to_string(),
            })?)
        } else {
            None
        };
        Ok(Self { exact, globs })
    }

    /// True when the matcher lets everything through.
    pub fn is_any(&self) -> bool {
        self.exact.is_empty() && self.globs.is_none()
    }

    /// Whether `value` passes.
    #[inline]
    pub fn matches(&self, value: &str) -> bool {
        self.is_any()
            || self.exact.iter().any(|e| e == value)
            || self.globs.as_ref().is_some_and(|g| g.is_match(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &[&str]) -> Matcher {
        Matcher::new(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn exact_and_glob() {
        let any = m(&[]);
        assert!(any.matches("") && any.matches("x"));
        let exact = m(&["PutRecord", "GetRecords"]);
        assert!(exact.matches("PutRecord") && exact.matches("GetRecords"));
        assert!(!exact.matches("PutRecords") && !exact.matches("putrecord"));
        let glob = m(&["Put*", "us-?ast-1"]);
        assert!(glob.matches("PutRecords") && glob.matches("us-east-1"));
        assert!(!glob.matches("GetRecords") && !glob.matches("us-west-1"));
        let arn = m(&["arn:aws:*"]);
        assert!(arn.matches("arn:aws:iam::1:user/a/b"));
        let class = m(&["10.0.0.[12]"]);
        assert!(class.matches("10.0.0.1") && !class.matches("10.0.0.3"));
    }

    #[test]
    fn bad_glob_is_an_error() {
        let err = Matcher::new(&["Put[".to_string()]).unwrap_err();
        assert!(err.to_string().contains("Put["));
    }
}
