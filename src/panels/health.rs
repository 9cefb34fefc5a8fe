//! The panels of `kinesis-insights health`: the findings first, then per shard, per stream,
//! per enhanced fan-out consumer and the capacity changes from CloudTrail. The rows come from
//! [`crate::health::analyze`]; here they become cells. The account is part of a stream's
//! identity, so every panel has an `account` column.

use super::{Built, Cell, PanelDef, PanelError, SeriesSummary, View};
use crate::health::analyze::Report;

/// A health panel.
pub type HealthPanel = PanelDef<Report, ()>;

fn opt_pct(v: Option<u64>) -> Cell {
    v.map_or(Cell::Null, Cell::Percent)
}

fn opt_float(v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, Cell::Float)
}

/// Bytes in a MiB, for `bytes_mib`.
const MIB: f64 = 1_048_576.0;

/// Every panel of `health`, in the order the table view shows them.
pub static PANELS: &[HealthPanel] = &[
    PanelDef {
        id: "findings",
        title: "Findings",
        columns: &[
            "severity", "check", "account", "region", "stream", "shard", "detail",
        ],
        about: "problems found by the checks, worst first",
        build: findings,
    },
    PanelDef {
        id: "shards",
        title: "Shards",
        columns: &[
            "account",
            "region",
            "stream",
            "shard",
            "write_bytes_peak_pct",
            "write_records_peak_pct",
            "write_peak_time",
            "read_bytes_peak_pct",
            "share_of_stream_writes_pct",
            "throttled_minutes",
        ],
        about: "per shard: peak minute's use of the shard limits, share of the stream's writes, throttled minutes",
        build: shards,
    },
    PanelDef {
        id: "streams",
        title: "Streams",
        columns: &[
            "account",
            "region",
            "stream",
            "mode",
            "shards",
            "write_peak_pct",
            "read_peak_pct",
            "put_records_failed_pct",
            "put_records_throttled_pct",
            "iterator_age_max_ms",
            "retention_hours",
            "iterator_age_pct_of_retention",
        ],
        about: "per stream: peak use of capacity, failed and throttled puts, iterator age against retention",
        build: streams,
    },
    PanelDef {
        id: "write-use",
        title: "Write Use Over Time (%)",
        columns: &[
            "time",
            "account",
            "region",
            "stream",
            "shard",
            "write_use_pct",
        ],
        about: "per shard (per stream without shard-level series) and datapoint: write use of the limits, for a shard x time heat map",
        build: write_use,
    },
    PanelDef {
        id: "consumers",
        title: "Enhanced Fan-Out Consumers",
        columns: &[
            "account",
            "region",
            "stream",
            "consumer",
            "millis_behind_latest_max",
            "records",
            "bytes_mib",
            "rate_exceeded",
        ],
        about: "per enhanced fan-out consumer: highest MillisBehindLatest, records and MiB received, refused subscriptions",
        build: consumers,
    },
    PanelDef {
        id: "changes",
        title: "Capacity Changes",
        columns: &[
            "time",
            "account",
            "region",
            "stream",
            "event_name",
            "user",
            "detail",
        ],
        about: "capacity, mode, retention, monitoring and consumer changes from CloudTrail",
        build: changes,
    },
];

/// Panel ids, for `--panel`.
pub fn ids() -> Vec<&'static str> {
    PANELS.iter().map(|p| p.id).collect()
}

fn findings(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .findings
        .iter()
        .map(|f| {
            vec![
                Cell::text(f.severity.name()),
                Cell::text(f.check),
                Cell::text(&f.account),
                Cell::text(&f.region),
                Cell::text(&f.stream),
                Cell::text(&f.shard),
                Cell::text(&f.detail),
            ]
        })
        .collect::<Vec<_>>();
    let mut b = Built::rows(rows);
    if r.findings.is_empty() {
        b.note = Some("no problems found".into());
    }
    Ok(b)
}

fn shards(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .shards
        .iter()
        .map(|s| {
            vec![
                Cell::text(&s.account),
                Cell::text(&s.region),
                Cell::text(&s.stream),
                Cell::text(&s.shard),
                opt_pct(s.write_bytes_peak),
                opt_pct(s.write_records_peak),
                s.write_peak_time.map_or(Cell::Null, Cell::Time),
                opt_pct(s.read_bytes_peak),
                opt_pct(s.share),
                Cell::Count(s.throttled_minutes),
            ]
        })
        .collect::<Vec<_>>();
    let mut b = Built::rows(rows);
    if r.shards.is_empty() {
        b.note = Some(
            "no shard-level series (they need enhanced monitoring: EnableEnhancedMonitoring)"
                .into(),
        );
    } else if !r.efo_read.is_empty() {
        let mut streams = r.efo_read.clone();
        streams.dedup();
        b.note = Some(format!(
            "read_bytes_peak_pct (OutgoingBytes) includes the traffic of enhanced fan-out \
             consumers, which have 2 MiB/s per shard each beside the shared limit, for: {}",
            streams.join(", ")
        ));
    }
    Ok(b)
}

fn streams(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .streams
        .iter()
        .map(|s| {
            vec![
                Cell::text(&s.account),
                Cell::text(&s.region),
                Cell::text(&s.stream),
                Cell::text(s.mode.name()),
                s.shards.map_or(Cell::Null, Cell::Count),
                opt_pct(s.write_peak),
                opt_pct(s.read_peak),
                opt_pct(s.put_failed),
                opt_pct(s.put_throttled),
                s.iterator_age_max.map_or(Cell::Null, Cell::Float),
                Cell::Count(s.retention_hours),
                opt_pct(s.iterator_age_pct),
            ]
        })
        .collect::<Vec<_>>();
    let mut b = Built::rows(rows);
    if !r.stream_notes.is_empty() {
        b.note = Some(r.stream_notes.join("; "));
    }
    Ok(b)
}

fn write_use(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .write_use
        .iter()
        .map(|u| {
            vec![
                Cell::Time(u.time),
                Cell::text(&u.account),
                Cell::text(&u.region),
                Cell::text(&u.stream),
                Cell::text(&u.shard),
                Cell::Percent(u.pct),
            ]
        })
        .collect::<Vec<_>>();
    let mut b = Built::rows(rows);
    if r.write_use.is_empty() {
        b.note = Some(
            "no write use: it needs IncomingBytes or IncomingRecords, per shard or of a \
             provisioned stream whose shard count is known"
                .into(),
        );
    } else {
        b.view = View::Series {
            time: 0,
            keys: vec![1, 2, 3, 4],
            value: 5,
            bucket: r.write_use_period,
            summary: SeriesSummary::Stats,
            unit: "%",
        };
    }
    Ok(b)
}

fn consumers(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .consumers
        .iter()
        .map(|c| {
            vec![
                Cell::text(&c.account),
                Cell::text(&c.region),
                Cell::text(&c.stream),
                Cell::text(&c.consumer),
                opt_float(c.millis_behind_latest_max),
                opt_float(c.records),
                opt_float(c.bytes.map(|b| b / MIB)),
                opt_float(c.rate_exceeded),
            ]
        })
        .collect::<Vec<_>>();
    let mut b = Built::rows(rows);
    if r.consumers.is_empty() {
        b.note = Some(
            "no enhanced fan-out consumer series (SubscribeToShardEvent.* and \
             SubscribeToShard.RateExceeded, dimension ConsumerName)"
                .into(),
        );
    }
    Ok(b)
}

fn changes(r: &Report, _: &()) -> Result<Built, PanelError> {
    let rows = r
        .changes
        .iter()
        .map(|c| {
            vec![
                Cell::Time(c.time),
                Cell::text(&c.account),
                Cell::text(&c.region),
                Cell::text(&c.stream),
                Cell::text(&c.event_name),
                Cell::text(&c.user),
                Cell::text(&c.detail),
            ]
        })
        .collect::<Vec<_>>();
    Ok(Built::rows(rows))
}
