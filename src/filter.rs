//! Field filters (`--event-name`, `--user`, `--region`, ...): each takes exact values or glob
//! patterns, the flag repeated for more than one (no flag splits on commas: a value may hold
//! one, and `{a,b}` is one glob). A record passes a filter when any pattern matches
//! (case-sensitive, as AWS names are) and no excluding pattern (`!PATTERN`) does; it passes the
//! filters when every given filter passes. `--source-ip` also takes networks in CIDR notation
//! (`10.0.0.0/8`, `2600:1f18::/32`).

use std::net::IpAddr;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ipnetwork::IpNetwork;
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
    /// What a value must match one of; `None`: everything.
    include: Option<Set>,
    /// What a value must match none of.
    exclude: Option<Set>,
}

/// Patterns of one kind (to include or to exclude).
#[derive(Debug, Clone, Default)]
struct Set {
    exact: Vec<String>,
    globs: Option<GlobSet>,
    networks: Vec<IpNetwork>,
}

impl Set {
    fn matches(&self, value: &str) -> bool {
        self.exact.iter().any(|e| e == value)
            || self.globs.as_ref().is_some_and(|g| g.is_match(value))
            || (!self.networks.is_empty() && in_networks(&self.networks, value))
    }
}

/// Whether `value`, read as an address, is in one of `networks` (an IPv4 network also holds
/// the IPv4-mapped IPv6 form of its addresses, `::ffff:10.0.0.1`).
fn in_networks(networks: &[IpNetwork], value: &str) -> bool {
    let Ok(ip) = value.parse::<IpAddr>() else {
        return false;
    };
    let v4 = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    };
    networks
        .iter()
        .any(|n| n.contains(ip) || v4.is_some_and(|v4| n.contains(v4)))
}

impl Matcher {
    /// Builds a matcher; an empty list matches everything. Patterns with `*`, `?`, `[` or `{`
    /// are globs (`*` also matches `/`), others must match exactly; a pattern starting with
    /// `!` excludes what it matches (`\!` for a value that starts with `!`).
    pub fn new(patterns: &[String]) -> Result<Self, PatternError> {
        Self::build(patterns, false)
    }

    /// [`Matcher::new`] for addresses: a pattern in CIDR notation (`10.0.0.0/8`,
    /// `2001:db8::/32`) matches the addresses in that network.
    pub fn addresses(patterns: &[String]) -> Result<Self, PatternError> {
        Self::build(patterns, true)
    }

    fn build(patterns: &[String], networks: bool) -> Result<Self, PatternError> {
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for p in patterns {
            match p.strip_prefix('!') {
                Some(rest) => exclude.push(rest),
                None => include.push(
                    p.strip_prefix('\\')
                        .filter(|r| r.starts_with('!'))
                        .unwrap_or(p),
                ),
            }
        }
        Ok(Self {
            include: set(&include, networks)?,
            exclude: set(&exclude, networks)?,
        })
    }

    /// True when the matcher lets everything through.
    pub fn is_any(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }

    /// Whether `value` passes.
    #[inline(always)]
    pub fn matches(&self, value: &str) -> bool {
        self.include.as_ref().is_none_or(|s| s.matches(value))
            && !self.exclude.as_ref().is_some_and(|s| s.matches(value))
    }
}

/// The set of `patterns`, `None` when there are none.
fn set(patterns: &[&str], networks: bool) -> Result<Option<Set>, PatternError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let err = |p: &str, reason: String| PatternError {
        pattern: p.to_string(),
        reason,
    };
    let mut out = Set::default();
    let mut globs = GlobSetBuilder::new();
    let mut any_glob = false;
    for &p in patterns {
        if networks && p.contains('/') {
            let net: IpNetwork = p
                .parse()
                .map_err(|e| err(p, format!("not a network in CIDR notation ({e})")))?;
            out.networks.push(net);
        } else if is_glob(p) {
            let glob = Glob::new(p).map_err(|e| err(p, e.kind().to_string()))?;
            globs.add(glob);
            any_glob = true;
        } else {
            out.exact.push(p.to_string());
        }
    }
    if any_glob {
        out.globs = Some(
            globs
                .build()
                .map_err(|e| err(&patterns.join(","), e.to_string()))?,
        );
    }
    Ok(Some(out))
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
    fn exclusions() {
        let not = m(&["!Describe*", "!ListShards"]);
        assert!(not.matches("PutRecord") && not.matches(""));
        assert!(!not.matches("DescribeStream") && !not.matches("ListShards"));
        // Included and not excluded.
        let both = m(&["Put*", "!PutRecords"]);
        assert!(both.matches("PutRecord") && !both.matches("PutRecords"));
        assert!(!both.matches("GetRecords"));
        // `\!` is a literal `!`.
        let lit = m(&["\\!bang"]);
        assert!(lit.matches("!bang") && !lit.matches("bang"));
        // An empty value can be left out.
        let some = m(&["!"]);
        assert!(!some.matches("") && some.matches("orders"));
        assert!(!m(&["!x"]).is_any());
    }

    #[test]
    fn networks() {
        let a = |p: &[&str]| {
            Matcher::addresses(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        let private = a(&["10.0.0.0/8", "fd00::/8", "192.168.1.7"]);
        for yes in [
            "10.0.0.1",
            "10.255.255.255",
            "fd12::1",
            "::ffff:10.1.2.3",
            "192.168.1.7",
        ] {
            assert!(private.matches(yes), "{yes}");
        }
        for no in [
            "11.0.0.1",
            "9.255.255.255",
            "fe80::1",
            "192.168.1.8",
            "kinesis.amazonaws.com",
            "",
        ] {
            assert!(!private.matches(no), "{no}");
        }
        // Networks exclude too; globs still work beside them.
        let public = a(&["!10.0.0.0/8", "!172.16.0.0/12"]);
        assert!(public.matches("8.8.8.8") && public.matches("172.32.0.1"));
        assert!(!public.matches("172.31.255.1") && !public.matches("10.9.9.9"));
        assert!(a(&["2600:1f18:*"]).matches("2600:1f18::5"));
        // Outside --source-ip, a `/` is an ordinary character.
        assert!(
            m(&["10.0.0.0/8"]).matches("10.0.0.0/8") && !m(&["10.0.0.0/8"]).matches("10.0.0.1")
        );
        for bad in ["10.0.0.0/33", "10.0.0/8", "::/129", "x/8"] {
            let err = Matcher::addresses(&[bad.to_string()]).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn bad_glob_is_an_error() {
        let err = Matcher::new(&["Put[".to_string()]).unwrap_err();
        assert!(err.to_string().contains("Put["));
    }
}
