//! Field filters (`--event-name`, `--user`, `--region`, ...): each takes exact values or glob
//! patterns, the flag repeated for more than one (no flag splits on commas: a value may hold
//! one, and `{a,b}` is one glob). A record passes a filter when any pattern matches
//! (case-sensitive, as AWS names are) and no excluding pattern (`!PATTERN`) does; it passes the
//! filters when every given filter passes. `--source-ip` also takes networks in CIDR notation
//! (`10.0.0.0/8`, `2600:1f18::/32`), and `--stream` stream ARNs ([`StreamFilter`]).

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

/// A Kinesis data stream's ARN, `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME`, as
/// `--stream` takes it: that stream in that account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamArn {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...: not compared (a record's partition follows from its
    /// region).
    pub partition: String,
    /// The region.
    pub region: String,
    /// The account, 12 digits.
    pub account: String,
    /// The stream name.
    pub name: String,
}

/// Whether `s` is a valid stream name: 1 to 128 letters, digits, `_`, `.` and `-`.
pub fn is_stream_name(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl StreamArn {
    /// `s` read as a stream ARN: `None` when it does not start with `arn:` (not an ARN at all),
    /// else the ARN or what is wrong with it.
    pub fn parse(s: &str) -> Option<Result<Self, String>> {
        let rest = s.strip_prefix("arn:")?;
        Some(Self::parse_parts(s, rest))
    }

    fn parse_parts(s: &str, rest: &str) -> Result<Self, String> {
        const SHAPE: &str = "arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME";
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = parts.as_slice() else {
            return Err(format!(
                "not a stream ARN: it has too few parts (expected {SHAPE})"
            ));
        };
        if partition.is_empty() || !partition.starts_with("aws") {
            return Err(format!(
                "not a stream ARN: the partition '{partition}' is not an AWS partition (aws, \
                 aws-cn, aws-us-gov, ...)"
            ));
        }
        if *service != "kinesis" {
            return Err(format!(
                "not a Kinesis stream ARN: its service is '{service}', not kinesis (expected \
                 {SHAPE})"
            ));
        }
        if region.is_empty() {
            return Err(format!(
                "a stream ARN names its region: none here (expected {SHAPE})"
            ));
        }
        if !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
            return Err(format!(
                "the account '{account}' is not 12 digits (expected {SHAPE})"
            ));
        }
        let Some(path) = resource.strip_prefix("stream/") else {
            return Err(format!(
                "not a stream ARN: its resource '{resource}' is not stream/NAME (expected \
                 {SHAPE})"
            ));
        };
        if let Some(at) = s.find("/consumer/") {
            let stream = &s[..at];
            return Err(format!(
                "an enhanced fan-out consumer's ARN, not a stream's: its stream is {stream}"
            ));
        }
        if is_glob(path) {
            return Err(format!(
                "an ARN is matched whole, without globs: for a glob give the name with \
                 --stream, --region and --account (--stream '{path}' --region {region} \
                 --account {account})"
            ));
        }
        if !is_stream_name(path) {
            return Err(format!(
                "the stream name '{path}' is not one (1 to 128 letters, digits, '_', '.' or \
                 '-')"
            ));
        }
        Ok(StreamArn {
            partition: partition.to_string(),
            region: region.to_string(),
            account: account.to_string(),
            name: path.to_string(),
        })
    }

    /// Whether the stream `name` of `account` in `region` is this one. An empty account or
    /// region is unknown (CLI exports carry neither) and not compared: the name decides.
    pub fn matches(&self, name: &str, account: &str, region: &str) -> bool {
        self.name == name
            && (account.is_empty() || account == self.account)
            && (region.is_empty() || region == self.region)
    }
}

/// `--stream`: stream names (exact or glob) and stream ARNs, ORed; `!` before either leaves
/// out what it matches. A record passes when it matches one included pattern (if any is
/// given) and no left-out one.
#[derive(Debug, Clone, Default)]
pub struct StreamFilter {
    /// The included names and globs; `None`: none given.
    names_in: Option<Matcher>,
    /// The left-out names and globs (`!PATTERN`): passes what none of them matches.
    names_out: Matcher,
    /// ARNs to keep.
    arns_in: Vec<StreamArn>,
    /// ARNs to leave out.
    arns_out: Vec<StreamArn>,
}

/// A `--stream` pattern that cannot be used: a bad glob, or a malformed ARN.
#[derive(Debug, Error)]
pub enum StreamPatternError {
    /// A name pattern that is not a valid glob.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// A pattern starting with `arn:` that is not a stream ARN: what is wrong.
    #[error("{0}")]
    Arn(String),
}

impl StreamFilter {
    /// Builds the filter of `patterns` (names as [`Matcher::new`] reads them; a pattern that
    /// starts with `arn:`, after its `!`, is a stream ARN).
    pub fn new(patterns: &[String]) -> Result<Self, StreamPatternError> {
        let (mut names_in, mut names_out) = (Vec::new(), Vec::new());
        let mut f = StreamFilter::default();
        for p in patterns {
            let (bare, out) = match p.strip_prefix('!') {
                Some(rest) => (rest, true),
                None => (p.as_str(), false),
            };
            match StreamArn::parse(bare) {
                Some(Ok(arn)) if out => f.arns_out.push(arn),
                Some(Ok(arn)) => f.arns_in.push(arn),
                Some(Err(why)) => return Err(StreamPatternError::Arn(why)),
                None if out => names_out.push(p.clone()),
                None => names_in.push(p.clone()),
            }
        }
        if !names_in.is_empty() {
            f.names_in = Some(Matcher::new(&names_in)?);
        }
        f.names_out = Matcher::new(&names_out)?;
        Ok(f)
    }

    /// True when the filter lets everything through.
    pub fn is_any(&self) -> bool {
        self.names_in.is_none()
            && self.names_out.is_any()
            && self.arns_in.is_empty()
            && self.arns_out.is_empty()
    }

    /// Whether the stream `name` of `account` in `region` passes (an empty account or region
    /// is unknown: an ARN matches it by its name; see [`StreamArn::matches`]).
    pub fn matches(&self, name: &str, account: &str, region: &str) -> bool {
        let included = match &self.names_in {
            None if self.arns_in.is_empty() => true,
            names => {
                names.as_ref().is_some_and(|m| m.matches(name))
                    || self
                        .arns_in
                        .iter()
                        .any(|a| a.matches(name, account, region))
            }
        };
        included
            && self.names_out.matches(name)
            && !self
                .arns_out
                .iter()
                .any(|a| a.matches(name, account, region))
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

    #[test]
    fn stream_arns_name_a_stream_of_an_account_and_region() {
        let f = |p: &[&str]| {
            StreamFilter::new(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        let arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders";
        let one = f(&[arn]);
        assert!(one.matches("orders", "111122223333", "eu-west-1"));
        assert!(!one.matches("orders", "444455556666", "eu-west-1"));
        assert!(!one.matches("orders", "111122223333", "us-east-1"));
        assert!(!one.matches("clicks", "111122223333", "eu-west-1"));
        // Unknown account or region (CLI exports): the name decides.
        assert!(one.matches("orders", "", ""));
        assert!(one.matches("orders", "111122223333", ""));
        assert!(!one.matches("orders", "444455556666", ""));
        // ORed with names; `!ARN` leaves out that one; names left out still apply.
        let or = f(&[arn, "c*"]);
        assert!(or.matches("clicks", "9", "x") && or.matches("orders", "111122223333", ""));
        assert!(!or.matches("orders", "9", "eu-west-1"));
        let not = f(&[&format!("!{arn}"), "!clicks"]);
        assert!(!not.matches("orders", "111122223333", "eu-west-1"));
        assert!(not.matches("orders", "444455556666", "eu-west-1"));
        assert!(!not.matches("clicks", "444455556666", "eu-west-1"));
        assert!(!not.is_any() && f(&[]).is_any());
        // Any partition.
        let cn = f(&["arn:aws-cn:kinesis:cn-north-1:111122223333:stream/a.b-c_d"]);
        assert!(cn.matches("a.b-c_d", "111122223333", "cn-north-1"));
        for (bad, says) in [
            (
                "arn:aws:kinesis:us-east-1:111122223333:stream/x/consumer/c:1",
                "consumer's ARN, not a stream's: its stream is \
                 arn:aws:kinesis:us-east-1:111122223333:stream/x",
            ),
            ("arn:aws:kinesis:us-east-1:111122223333:x", "resource 'x'"),
            ("arn:aws:kinesis::111122223333:stream/x", "names its region"),
            (
                "arn:aws:kinesis:us-east-1:11112222333a:stream/x",
                "not 12 digits",
            ),
            (
                "arn:aws:kinesis:us-east-1:111122223333:stream/a b",
                "'a b' is not one",
            ),
            (
                "arn:aws:kinesis:us-east-1:111122223333:stream/",
                "'' is not one",
            ),
            (
                "arn::kinesis:us-east-1:111122223333:stream/x",
                "not an AWS partition",
            ),
        ] {
            let e = StreamFilter::new(&[bad.to_string()])
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
