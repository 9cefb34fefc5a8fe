//! The AWS account a record belongs to, which is part of a resource's identity: two accounts
//! can each have a stream `orders` in `us-east-1`, and their data must never be added together.
//!
//! A record names its account itself where its format has a field for it (`recipientAccountId`
//! in CloudTrail, `account_id` in Metric Streams, `cloud.account.id` in OpenTelemetry); where it
//! does not, the account is taken from the S3 key the file was saved under
//! (`AWSLogs/<account>/...`, or `AWSLogs/<organization>/<account>/...` for an organization
//! trail), and otherwise it is empty.

use std::collections::BTreeSet;

/// The account of a record: its own `field` when not empty, else `from_path`.
#[inline]
pub fn of<'a>(field: &'a str, from_path: &'a str) -> &'a str {
    if field.is_empty() { from_path } else { field }
}

/// The account in an S3 key or a local path copied from one: the 12 digits after `AWSLogs/`, or
/// after `AWSLogs/o-<org id>/` (organization trails); `""` when there is none. The last
/// `AWSLogs/` in the path counts. Looked at once per file.
pub fn from_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let Some(i) = path.rfind("AWSLogs/") else {
        return String::new();
    };
    let mut parts = path[i + "AWSLogs/".len()..].split('/');
    let mut first = parts.next().unwrap_or("");
    if first.starts_with("o-") {
        first = parts.next().unwrap_or("");
    }
    if first.len() == 12 && first.bytes().all(|b| b.is_ascii_digit()) {
        first.to_string()
    } else {
        String::new()
    }
}

/// Most distinct accounts named in a summary; past it they are only counted as "more".
pub const MAX_NAMED: usize = 1000;

/// The distinct accounts seen, for the summary ("the input spans 3 accounts"). Bounded: past
/// [`MAX_NAMED`] accounts only the fact that there were more is kept, so records with made-up
/// accounts cannot grow memory without bound.
#[derive(Debug, Default, Clone)]
pub struct Accounts {
    seen: BTreeSet<String>,
    /// The last account added: records come in runs of one account, so most adds compare one
    /// string and stop.
    last: String,
    /// More than [`MAX_NAMED`] were seen.
    pub more: bool,
}

impl PartialEq for Accounts {
    /// The same accounts (the cache of the last one is not part of the value).
    fn eq(&self, o: &Self) -> bool {
        self.seen == o.seen && self.more == o.more
    }
}

impl Eq for Accounts {}

impl Accounts {
    /// Notes `account` (empty accounts are not accounts).
    #[inline]
    pub fn add(&mut self, account: &str) {
        // Compared inline: a call to `memcmp` for the 12 digits of every record cost a fifth
        // of the call.
        if !account.is_empty()
            && !crate::group::same_bytes(account.as_bytes(), self.last.as_bytes())
        {
            self.add_other(account);
        }
    }

    /// [`add`](Accounts::add) of an account other than the last.
    #[cold]
    #[inline(never)]
    fn add_other(&mut self, account: &str) {
        self.last.clear();
        self.last.push_str(account);
        if !self.seen.contains(account) {
            if self.seen.len() < MAX_NAMED {
                self.seen.insert(account.to_string());
            } else {
                self.more = true;
            }
        }
    }

    /// Adds everything `other` saw.
    pub fn merge(&mut self, other: Accounts) {
        for a in other.seen {
            self.add(&a);
        }
        self.more |= other.more;
    }

    /// How many distinct accounts were seen (at least, when [`Accounts::more`]).
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no account was seen.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The accounts, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(String::as_str)
    }

    /// A note for the summary when there is more than one account, e.g. `the input spans 2
    /// accounts (111122223333, 444455556666); --account selects one`.
    pub fn note(&self) -> Option<String> {
        if self.len() < 2 {
            return None;
        }
        const SHOWN: usize = 5;
        let mut names: Vec<&str> = self.iter().take(SHOWN).collect();
        let rest = self.len() - names.len();
        let more = if rest > 0 || self.more {
            names.push("…");
            if self.more { " or more" } else { "" }
        } else {
            ""
        };
        Some(format!(
            "the input spans {}{more} accounts ({}); --account selects some",
            self.len(),
            names.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_s3_key() {
        let cases = [
            (
                "dump/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/09/x.json.gz",
                "111122223333",
            ),
            (
                "AWSLogs/o-aa111bb222/444455556666/CloudTrail/eu-west-1/2024/03/09/x.json.gz",
                "444455556666",
            ),
            (
                "C:\\logs\\AWSLogs\\111122223333\\CloudTrail\\x.json",
                "111122223333",
            ),
            ("AWSLogs/AWSLogs/123456789012/CloudTrail/x", "123456789012"),
            ("AWSLogs/12345678901/CloudTrail/x", ""),
            ("AWSLogs/1234567890123/x", ""),
            ("AWSLogs/o-x/notdigits/x", ""),
            ("metrics/2024/03/09/KinesisMetrics-1", ""),
            ("<stdin>", ""),
        ];
        for (path, want) in cases {
            assert_eq!(from_path(path), want, "{path}");
        }
        assert_eq!(of("", "1"), "1");
        assert_eq!(of("2", "1"), "2");
    }

    #[test]
    fn distinct_accounts_are_bounded_and_merge() {
        let mut a = Accounts::default();
        for x in ["1", "1", "", "2", "1"] {
            a.add(x);
        }
        let mut b = Accounts::default();
        b.add("3");
        b.add("2");
        a.merge(b);
        assert_eq!(a.iter().collect::<Vec<_>>(), ["1", "2", "3"]);
        assert_eq!(
            a.note().unwrap(),
            "the input spans 3 accounts (1, 2, 3); --account selects some"
        );
        let mut one = Accounts::default();
        one.add("1");
        assert_eq!(one.note(), None);
        let mut many = Accounts::default();
        for i in 0..MAX_NAMED + 10 {
            many.add(&format!("{i:012}"));
        }
        assert_eq!((many.len(), many.more), (MAX_NAMED, true));
        assert!(many.note().unwrap().starts_with("the input spans 1000 or more accounts (000000000000, 000000000001, 000000000002, 000000000003, 000000000004, …)"));
    }
}
