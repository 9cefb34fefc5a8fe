//! The Events dashboard's data: which CloudTrail records count (Kinesis only, in the window,
//! through the filters) and the aggregate, [`EventsAgg`], the panels are built from.
//!
//! Each panel has its own grouping, keyed only by the fields it shows (the `GROUP BY` a SQL
//! rendering of the panel would use), and a pass counts only the groupings of the selected
//! panels: one table keyed by every field would grow with the product of their cardinalities
//! (on a trail of realistic cardinality, many times the rows of any panel). The groupings the
//! api-calls grouping contains (`[name]`, `[user, name]`, `[region, name]`, `[address]`) are
//! summed from it after the pass when it is counted, instead of being counted record by record.

pub mod dedup;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;

use crate::cloudtrail::reader::RecordQuery;
use crate::cloudtrail::{Field, KINESIS_SOURCE, PERSON_TYPES, Record, Skip};
use crate::filter::Matcher;
use crate::group::GroupMap;
use crate::pipeline::Merge;
use crate::window::{Millis, Window, bucket_start, parse_event_time, union_range, widen_range};

/// The filters the dashboard offers as template variables.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `--event-name`.
    pub event_name: Matcher,
    /// `--user` (the derived user).
    pub user: Matcher,
    /// `--source-ip`.
    pub source_ip: Matcher,
    /// `--region`.
    pub region: Matcher,
    /// `--stream`.
    pub stream: Matcher,
}

/// What to count.
#[derive(Debug, Clone)]
pub struct Query {
    /// Only events in this window count.
    pub window: Window,
    /// Only events through these filters count.
    pub filters: Filters,
    /// Width of the over-time buckets.
    pub bucket: Millis,
    /// Only find the time range of the Kinesis events (the first pass of `--relative-to
    /// latest`); nothing is grouped.
    pub scan_only: bool,
    /// With `--dedup`: the event IDs already counted, shared by all threads.
    pub dedup: Option<Arc<dedup::SeenIds>>,
    /// The groupings to count (those of the selected panels).
    pub groupings: Groupings,
}

/// The groupings a pass counts, one per panel, each named by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Groupings {
    /// `[event name]` (events).
    pub by_name: bool,
    /// `[event name]` to counts per bucket start (events over time).
    pub over_time: bool,
    /// `[region, user, event name, source address]` (api-calls).
    pub calls: bool,
    /// `[user, event name]` (by-user).
    pub by_user: bool,
    /// `[region, event name]` (by-region).
    pub by_region: bool,
    /// `[error code, error message, event name, user, source address]`, of calls with an
    /// error code only (errors).
    pub errors: bool,
    /// `[user]`, of identities of the [`PERSON_TYPES`] only (top-users).
    pub person_users: bool,
    /// `[source address]` (locations).
    pub by_ip: bool,
}

impl Groupings {
    /// Every grouping.
    pub const ALL: Groupings = Groupings {
        by_name: true,
        over_time: true,
        calls: true,
        by_user: true,
        by_region: true,
        errors: true,
        person_users: true,
        by_ip: true,
    };

    /// The groupings counted record by record: those `calls` contains are summed from it after
    /// the pass when it is counted.
    #[inline]
    fn counted(self) -> Groupings {
        if self.calls {
            Groupings {
                by_name: false,
                by_user: false,
                by_region: false,
                by_ip: false,
                ..self
            }
        } else {
            self
        }
    }
}

impl Query {
    /// Every Kinesis event in `window`, no filters, no dedup, over-time buckets of `bucket`,
    /// every grouping.
    pub fn new(window: Window, bucket: Millis) -> Self {
        Query {
            window,
            filters: Filters::default(),
            bucket,
            scan_only: false,
            dedup: None,
            groupings: Groupings::ALL,
        }
    }
}

/// Counts over all records read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EventCounts {
    /// Records read, of any service.
    pub records: u64,
    /// Kinesis Data Streams events (before window and filters).
    pub kinesis: u64,
    /// Events of other services (read and ignored).
    pub other_services: u64,
    /// CloudTrail Insights events (ignored).
    pub insights: u64,
    /// Records skipped as malformed: no `eventSource`, or a Kinesis event without a valid
    /// `eventTime` or `eventName`.
    pub malformed: u64,
    /// Kinesis events in the window and through the filters: what the panels count.
    pub matched: u64,
    /// Events left out by `--dedup` because their `eventID` was already counted.
    pub duplicates: u64,
    /// Time range of all Kinesis events.
    pub kinesis_range: Option<(Millis, Millis)>,
    /// Time range of the matched events.
    pub matched_range: Option<(Millis, Millis)>,
}

impl Merge for EventCounts {
    fn merge(&mut self, o: Self) {
        self.records += o.records;
        self.kinesis += o.kinesis;
        self.other_services += o.other_services;
        self.insights += o.insights;
        self.malformed += o.malformed;
        self.matched += o.matched;
        self.duplicates += o.duplicates;
        self.kinesis_range = union_range(self.kinesis_range, o.kinesis_range);
        self.matched_range = union_range(self.matched_range, o.matched_range);
    }
}

/// Counts per bucket start.
pub type BucketCounts = HashMap<Millis, u64, RandomState>;

/// The aggregate of the Events dashboard: the counts, and one grouping per selected panel.
#[derive(Debug, Default, Clone)]
pub struct EventsAgg {
    /// Counts over everything read.
    pub counts: EventCounts,
    by_name: GroupMap<1, u64>,
    over_time: GroupMap<1, BucketCounts>,
    calls: GroupMap<4, u64>,
    by_user: GroupMap<2, u64>,
    by_region: GroupMap<2, u64>,
    errors: GroupMap<5, u64>,
    person_users: GroupMap<1, u64>,
    by_ip: GroupMap<1, u64>,
}

impl Merge for EventsAgg {
    fn merge(&mut self, o: Self) {
        self.by_name.merge(o.by_name);
        self.over_time.merge_with(o.over_time, |a, b| {
            for (t, n) in b {
                *a.entry(t).or_default() += n;
            }
        });
        self.calls.merge(o.calls);
        self.by_user.merge(o.by_user);
        self.by_region.merge(o.by_region);
        self.errors.merge(o.errors);
        self.person_users.merge(o.person_users);
        self.by_ip.merge(o.by_ip);
        self.counts.merge(o.counts);
    }
}

/// A grouping as counted, or summed from the api-calls grouping.
pub type Grouping<'a, const N: usize> = Cow<'a, GroupMap<N, u64>>;

impl EventsAgg {
    /// Counts one record under `q`; a malformed record is counted as such and refused with
    /// the reason.
    #[inline]
    pub fn add(&mut self, q: &Query, r: &impl Record) -> Result<(), Skip> {
        let c = &mut self.counts;
        c.records += 1;
        if r.field(Field::EventType) == "AwsCloudTrailInsight" {
            c.insights += 1;
            return Ok(());
        }
        let source = r.field(Field::EventSource);
        if source != KINESIS_SOURCE {
            if source.is_empty() {
                c.malformed += 1;
                return Err(Skip::NoEventSource);
            }
            c.other_services += 1;
            return Ok(());
        }
        let name = r.field(Field::EventName);
        let Some(t) = r.get(Field::EventTime).and_then(parse_event_time) else {
            c.malformed += 1;
            return Err(Skip::BadEventTime);
        };
        if name.is_empty() {
            c.malformed += 1;
            return Err(Skip::NoEventName);
        }
        c.kinesis += 1;
        widen_range(&mut c.kinesis_range, t);
        if q.scan_only || !q.window.contains(t) {
            return Ok(());
        }
        let f = &q.filters;
        let (region, user, ip) = (
            r.field(Field::AwsRegion),
            r.user(),
            r.field(Field::SourceIp),
        );
        if !(f.event_name.matches(name)
            && f.region.matches(region)
            && f.user.matches(user)
            && f.source_ip.matches(ip)
            && (f.stream.is_any() || f.stream.matches(r.stream())))
        {
            return Ok(());
        }
        if let Some(seen) = &q.dedup {
            let id = r.field(Field::EventId);
            if !id.is_empty() && !seen.first_time(id) {
                c.duplicates += 1;
                return Ok(());
            }
        }
        c.matched += 1;
        widen_range(&mut c.matched_range, t);
        let g = q.groupings.counted();
        if g.calls {
            self.calls.add([region, user, name, ip], 1);
        }
        if g.by_name {
            self.by_name.add([name], 1);
        }
        if g.by_user {
            self.by_user.add([user, name], 1);
        }
        if g.by_region {
            self.by_region.add([region, name], 1);
        }
        if g.by_ip {
            self.by_ip.add([ip], 1);
        }
        if g.over_time {
            *self
                .over_time
                .entry([name])
                .entry(bucket_start(t, q.bucket))
                .or_default() += 1;
        }
        if g.errors {
            let code = r.field(Field::ErrorCode);
            if !code.is_empty() {
                let message = r.field(Field::ErrorMessage);
                self.errors.add([code, message, name, user, ip], 1);
            }
        }
        if g.person_users && PERSON_TYPES.contains(&r.identity_type()) {
            self.person_users.add([user], 1);
        }
        Ok(())
    }

    /// The grouping `own` where it was counted, else summed from `calls` by `keep`.
    fn own_or_summed<'s, const M: usize>(
        &'s self,
        own: &'s GroupMap<M, u64>,
        keep: impl FnMut(&[&'s str; 4]) -> Option<[&'s str; M]>,
    ) -> Grouping<'s, M> {
        if own.is_empty() && !self.calls.is_empty() {
            Cow::Owned(self.calls.project(keep))
        } else {
            Cow::Borrowed(own)
        }
    }

    /// Calls by `[event name]`.
    pub fn by_name(&self) -> Grouping<'_, 1> {
        self.own_or_summed(&self.by_name, |[_, _, name, _]| Some([*name]))
    }

    /// Calls by `[event name]`, then bucket start.
    pub fn over_time(&self) -> &GroupMap<1, BucketCounts> {
        &self.over_time
    }

    /// Calls by `[region, user, event name, source address]`.
    pub fn calls(&self) -> &GroupMap<4, u64> {
        &self.calls
    }

    /// Calls by `[user, event name]`.
    pub fn by_user(&self) -> Grouping<'_, 2> {
        self.own_or_summed(&self.by_user, |[_, user, name, _]| Some([*user, *name]))
    }

    /// Calls by `[region, event name]`.
    pub fn by_region(&self) -> Grouping<'_, 2> {
        self.own_or_summed(&self.by_region, |[region, _, name, _]| {
            Some([*region, *name])
        })
    }

    /// Calls with an error code by `[error code, error message, event name, user, source
    /// address]`.
    pub fn errors(&self) -> &GroupMap<5, u64> {
        &self.errors
    }

    /// Calls by identities of the [`PERSON_TYPES`], by `[user]`.
    pub fn person_users(&self) -> &GroupMap<1, u64> {
        &self.person_users
    }

    /// Calls by `[source address]`.
    pub fn by_ip(&self) -> Grouping<'_, 1> {
        self.own_or_summed(&self.by_ip, |[_, _, _, ip]| Some([*ip]))
    }
}

impl RecordQuery for Query {
    type Acc = EventsAgg;

    fn new_acc(&self) -> EventsAgg {
        EventsAgg::default()
    }

    fn add(&self, acc: &mut EventsAgg, record: &impl Record) -> Result<(), Skip> {
        acc.add(self, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::parse::parse_record;

    fn query() -> Query {
        Query {
            window: Window::default(),
            filters: Filters::default(),
            bucket: 3_600_000,
            scan_only: false,
            dedup: None,
            groupings: Groupings::ALL,
        }
    }

    fn add_all(q: &Query, recs: &[&str]) -> EventsAgg {
        let mut cube = EventsAgg::default();
        for r in recs {
            let _ = cube.add(q, &parse_record(r).unwrap());
        }
        cube
    }

    const KIN: &str = r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":" kinesis.amazonaws.com ","eventName":"PutRecord ","awsRegion":"us-east-2 ","sourceIPAddress":" 1.2.3.4","userIdentity":{"type":"IAMUser","userName":"alice"},"requestParameters":{"streamName":"orders"}}"#;

    #[test]
    fn classifies_records() {
        let recs = [
            KIN,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","eventType":"AwsCloudTrailInsight"}"#,
            r#"{"eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"yesterday","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z"}"#,
        ];
        let cube = add_all(&query(), &recs);
        let c = &cube.counts;
        assert_eq!(
            (
                c.records,
                c.kinesis,
                c.other_services,
                c.insights,
                c.malformed,
                c.matched
            ),
            (7, 1, 1, 1, 4, 1)
        );
        let rows = cube.calls().sorted();
        assert_eq!(
            rows,
            vec![(
                ["us-east-2", "alice", "PutRecord", "1.2.3.4"].map(String::from),
                1
            )]
        );
        assert_eq!(cube.person_users().sorted(), vec![(["alice".into()], 1)]);
        assert!(cube.errors().is_empty());
    }

    #[test]
    fn window_and_filters() {
        let at = |t: &str, name: &str| {
            KIN.replace("2024-03-09T10:00:00Z", t)
                .replace("PutRecord ", name)
        };
        let recs = [
            at("2024-03-09T09:59:59Z", "A"),
            at("2024-03-09T10:00:00Z", "A"),
            at("2024-03-09T10:59:59.999Z", "B"),
            at("2024-03-09T11:00:00Z", "A"),
        ];
        let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
        let mut q = query();
        q.window = Window {
            since: Some(1_709_978_400_000),
            until: Some(1_709_982_000_000),
        };
        let cube = add_all(&q, &refs);
        assert_eq!((cube.counts.kinesis, cube.counts.matched), (4, 2));
        assert_eq!(
            cube.counts.kinesis_range,
            Some((1_709_978_399_000, 1_709_982_000_000))
        );
        assert_eq!(
            cube.counts.matched_range,
            Some((1_709_978_400_000, 1_709_981_999_999))
        );
        q.filters.event_name = Matcher::new(&["B".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 1);
        q.filters.event_name = Matcher::default();
        q.filters.stream = Matcher::new(&["ord*".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 2);
        q.filters.region = Matcher::new(&["us-west-2".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 0);
    }
}
