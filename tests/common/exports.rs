//! CloudWatch exports of one stream written out for a test: get-metric-data output with its
//! query file, get-metric-statistics output and Metric Streams JSON, each with the statistics
//! the test chooses, from 2026-11-28T10:00:00Z on (minute `m` is 10:00 plus `m` minutes).

#![allow(dead_code)]

use std::fs;
use std::path::Path;

/// 2026-11-28T10:00:00Z in epoch milliseconds.
pub const START_MS: u64 = 1_795_860_000_000;

/// Minute `m` of the exports as CloudWatch writes a time.
pub fn time(m: u32) -> String {
    format!("2026-11-28T{:02}:{:02}:00Z", 10 + m / 60, m % 60)
}

/// One get-metric-data query of stream `s1` and its result: id, metric, `Stat`, `(minute,
/// value)` datapoints. A metric named with a `/` (`IteratorAgeMilliseconds/shardId-1`) is of
/// that shard, one with an `@` (`SubscribeToShardEvent.MillisBehindLatest@c1`) of that
/// enhanced fan-out consumer.
pub struct Query<'a> {
    pub id: &'a str,
    pub metric: &'a str,
    pub stat: &'a str,
    pub points: &'a [(u32, f64)],
}

/// Writes `queries.json` and `output.json` into `dir`; returns their paths.
pub fn get_metric_data(dir: &Path, queries: &[Query<'_>]) -> (String, String) {
    let mut qs = Vec::new();
    let mut rs = Vec::new();
    for q in queries {
        let (metric, shard) = q.metric.split_once('/').unwrap_or((q.metric, ""));
        let (metric, consumer) = metric.split_once('@').unwrap_or((metric, ""));
        let mut dims = r#"{"Name":"StreamName","Value":"s1"}"#.to_string();
        if !shard.is_empty() {
            dims.push_str(&format!(r#",{{"Name":"ShardId","Value":"{shard}"}}"#));
        }
        if !consumer.is_empty() {
            dims.push_str(&format!(
                r#",{{"Name":"ConsumerName","Value":"{consumer}"}}"#
            ));
        }
        qs.push(format!(
            r#"{{"Id":"{}","MetricStat":{{"Metric":{{"Namespace":"AWS/Kinesis","MetricName":"{metric}","Dimensions":[{dims}]}},"Period":60,"Stat":"{}"}}}}"#,
            q.id, q.stat
        ));
        let times: Vec<String> = q
            .points
            .iter()
            .map(|(m, _)| format!("\"{}\"", time(*m)))
            .collect();
        let values: Vec<String> = q.points.iter().map(|(_, v)| format!("{v:?}")).collect();
        rs.push(format!(
            r#"{{"Id":"{}","Label":"{metric}","Timestamps":[{}],"Values":[{}],"StatusCode":"Complete"}}"#,
            q.id,
            times.join(","),
            values.join(",")
        ));
    }
    let (qp, op) = (dir.join("queries.json"), dir.join("output.json"));
    fs::write(
        &qp,
        format!(r#"{{"MetricDataQueries":[{}]}}"#, qs.join(",")),
    )
    .unwrap();
    fs::write(
        &op,
        format!(
            r#"{{"MetricDataResults":[{}],"Messages":[]}}"#,
            rs.join(",")
        ),
    )
    .unwrap();
    (
        qp.to_str().unwrap().to_string(),
        op.to_str().unwrap().to_string(),
    )
}

/// Writes get-metric-statistics output of `label` into `dir/file`: per datapoint its minute
/// and statistics (`("Average", 5.0)`).
pub fn get_metric_statistics(
    dir: &Path,
    file: &str,
    label: &str,
    points: &[(u32, &[(&str, f64)])],
) {
    let points: Vec<String> = points
        .iter()
        .map(|(m, stats)| {
            let stats: Vec<String> = stats
                .iter()
                .map(|(k, v)| format!(r#""{k}":{v:?}"#))
                .collect();
            format!(
                r#"{{"Timestamp":"{}",{},"Unit":"None"}}"#,
                time(*m),
                stats.join(",")
            )
        })
        .collect();
    fs::write(
        dir.join(file),
        format!(
            r#"{{"Label":"{label}","Datapoints":[{}]}}"#,
            points.join(",")
        ),
    )
    .unwrap();
}

/// A Metric Streams JSON record of stream `s1` (and shard `shard`, unless empty) in account
/// 111122223333, us-east-1.
pub fn stream_record(
    metric: &str,
    shard: &str,
    minute: u32,
    sum: f64,
    count: f64,
    max: f64,
) -> String {
    let dims = if shard.is_empty() {
        r#"{"StreamName":"s1"}"#.to_string()
    } else {
        format!(r#"{{"StreamName":"s1","ShardId":"{shard}"}}"#)
    };
    format!(
        r#"{{"metric_stream_name":"ms","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"{metric}","dimensions":{dims},"timestamp":{},"value":{{"max":{max:?},"min":0.0,"sum":{sum:?},"count":{count:?}}},"unit":"None"}}"#,
        START_MS + u64::from(minute) * 60_000
    )
}
