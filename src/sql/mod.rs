//! The Events panels as SQL, for engines next to a trail too big for one machine: DuckDB,
//! Spark, Athena and Trino. A script is the engine's setup over the raw files, a view of the
//! Kinesis events with the derived columns every panel uses (the `user` rule, trimming, the
//! stream, the account), a view of those in the window and through the filters, and one query
//! per panel returning the panel's CSV columns in the CLI's row order.
//!
//! The rules are the CLI's ([`crate::cloudtrail::Record`], [`crate::events::EventsAgg::add`],
//! [`crate::panels::events`]) written once in shared SQL; what differs between engines is in
//! [`dialect::Dialect`], one file per engine.

pub mod dialect;
pub mod duckdb;
pub mod glob;
pub mod spark;
pub mod trino;

use std::fmt::Write as _;

use dialect::Dialect;

use crate::cloudtrail::{Field, KINESIS_SOURCE, PERSON_TYPES};
use crate::filter::{PatternError, StreamArn, is_glob};
use crate::panels::events::{LOCATIONS, MAX_BUCKETS};
use crate::window::{END_TIME, Millis, Window, format_duration, format_instant};

/// The engines `sql --engine` writes for.
pub const ENGINES: &[(&str, &str)] = &[
    (
        "athena",
        "Amazon Athena (engine 3): a CloudTrail table with partition projection",
    ),
    (
        "trino",
        "Trino, on a CloudTrail table in a Hive or Glue metastore",
    ),
    (
        "spark",
        "Spark SQL 3.x: a temporary view over any Hadoop path",
    ),
    (
        "duckdb",
        "DuckDB: a view over a folder, a glob or s3:// (httpfs)",
    ),
];

/// The patterns of each filter, as given.
#[derive(Debug, Clone, Default)]
pub struct FilterPatterns {
    /// `--event-name`.
    pub event_name: Vec<String>,
    /// `--user`.
    pub user: Vec<String>,
    /// `--source-ip`.
    pub source_ip: Vec<String>,
    /// `--region`.
    pub region: Vec<String>,
    /// `--stream`.
    pub stream: Vec<String>,
    /// `--account`.
    pub account: Vec<String>,
}

/// What to write a script for.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The resolved window.
    pub window: Window,
    /// Where an open window ends for zero-filling (`--since` a duration without `--until`:
    /// the time the script was made).
    pub open_end: Option<Millis>,
    /// `--bucket` (None: 1h, coarser over long ranges, as the CLI chooses).
    pub bucket: Option<Millis>,
    /// Users kept by top-users (0: all).
    pub top: usize,
    /// Filters.
    pub filters: FilterPatterns,
    /// Panel ids in order (`locations` gives `source_ip,count`).
    pub panels: Vec<&'static str>,
}

/// The JSON path of a field in a raw record (DuckDB, Spark).
pub fn json_path(f: Field) -> String {
    match f {
        Field::EventTime => "$.eventTime",
        Field::EventSource => "$.eventSource",
        Field::EventName => "$.eventName",
        Field::EventType => "$.eventType",
        Field::EventId => "$.eventID",
        Field::AwsRegion => "$.awsRegion",
        Field::SourceIp => "$.sourceIPAddress",
        Field::ErrorCode => "$.errorCode",
        Field::ErrorMessage => "$.errorMessage",
        Field::RecipientAccountId => "$.recipientAccountId",
        Field::ResourcesArn => "$.resources[0].ARN",
        Field::IdentityType => "$.userIdentity.type",
        Field::UserName => "$.userIdentity.userName",
        Field::Arn => "$.userIdentity.arn",
        Field::PrincipalId => "$.userIdentity.principalId",
        Field::InvokedBy => "$.userIdentity.invokedBy",
        Field::IssuerUserName => "$.userIdentity.sessionContext.sessionIssuer.userName",
        Field::OnBehalfOfUserId => "$.userIdentity.onBehalfOf.userId",
        Field::IdentityAccountId => "$.userIdentity.accountId",
        Field::StreamName => "$.requestParameters.streamName",
        Field::StreamArn => "$.requestParameters.streamARN",
        Field::ConsumerArn => "$.requestParameters.consumerARN",
        Field::ResourceArn => "$.requestParameters.resourceARN",
    }
    .to_string()
}

/// The fields the view reads, with their column names.
const COLUMNS: &[(Field, &str)] = &[
    (Field::EventTime, "event_time_text"),
    (Field::EventSource, "event_source"),
    (Field::EventName, "event_name"),
    (Field::EventType, "event_type"),
    (Field::AwsRegion, "aws_region"),
    (Field::SourceIp, "source_ip"),
    (Field::ErrorCode, "error_code"),
    (Field::ErrorMessage, "error_message"),
    (Field::RecipientAccountId, "recipient_account_id"),
    (Field::ResourcesArn, "resources_arn"),
    (Field::IdentityType, "user_type"),
    (Field::UserName, "user_name_field"),
    (Field::Arn, "identity_arn"),
    (Field::PrincipalId, "principal_id"),
    (Field::InvokedBy, "invoked_by"),
    (Field::IssuerUserName, "issuer_user_name"),
    (Field::OnBehalfOfUserId, "on_behalf_of_user_id"),
    (Field::IdentityAccountId, "identity_account_id"),
    (Field::StreamName, "stream_name"),
    (Field::StreamArn, "stream_arn"),
    (Field::ConsumerArn, "consumer_arn"),
    (Field::ResourceArn, "resource_arn"),
];

/// `eventTime` as the CLI reads it (`window::parse_event_time`): `YYYY-MM-DD`, `T`, `t` or a
/// space, `HH:MM:SS`, an optional fraction, then nothing, `Z`, `z`, `±HH:MM` or `±HHMM`.
const TIME_RE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?\\z";

/// An IAM Identity Center role name: `AWSReservedSSO_<permission set>_<16 hex digits>`.
const SSO_ROLE_RE: &str = "(?s)^(AWSReservedSSO_.+)_[0-9A-Fa-f]{16}\\z";

/// The account in an S3 key, after its last `AWSLogs/` (`account::from_path`).
const ACCOUNT_RE: &str = "^(?:o-[^/]*/)?([0-9]{12})(?:/|\\z)";

/// A day, an hour.
const DAY: Millis = 86_400_000;
const HOUR: Millis = 3_600_000;

/// The whole script for `d`.
pub fn script(d: &dyn Dialect, spec: &Spec, generator: &str) -> Result<String, PatternError> {
    let mut out = String::new();
    let window = |b: Option<Millis>| b.map_or_else(|| "open".to_string(), format_instant);
    let _ = writeln!(
        out,
        "-- The Kinesis Events dashboard as {} SQL, written by {generator}.\n\
         -- Window: {} to {} (times UTC; durations were counted back from when this was written).\n\
         -- Run the statements in order; each panel's query follows its '-- panel: ID' line and \
         returns\n-- that panel's CSV columns in the CLI's order. \
         `kinesis-insights events --from-csv DIR` renders the results.",
        d.name(),
        window(spec.window.since),
        window(spec.window.until),
    );
    let _ = writeln!(
        out,
        "-- Where this differs from the CLI: globs in the filters match characters here and \
         bytes in the CLI, so\n-- `?` and `[...]` differ on non-ASCII text."
    );
    for c in d.caveats() {
        let _ = writeln!(out, "-- {c}");
    }
    for s in d.setup() {
        // A setup that is only comments (Trino's table, to make elsewhere) is no statement.
        let end = if s.lines().all(|l| l.starts_with("--")) {
            ""
        } else {
            ";"
        };
        let _ = writeln!(out, "\n{s}{end}");
    }
    let _ = writeln!(out, "\n{};", events_view(d, &spec.window));
    let _ = writeln!(out, "\n{};", matched_view(d, spec)?);
    for id in &spec.panels {
        let _ = writeln!(out, "\n-- panel: {id}\n{};", panel(d, spec, id)?);
    }
    Ok(out)
}

/// `COALESCE(trim(x), '')`: a trimmed field, empty when absent.
fn trimmed(d: &dyn Dialect, x: &str) -> String {
    format!("COALESCE({}, '')", d.trim(x))
}

/// The stream named in an ARN (`cloudtrail::stream_in_arn`): after the last `:stream/`, up to
/// the next `/`.
fn stream_in_arn(d: &dyn Dialect, arn: &str) -> String {
    format!(
        "CASE WHEN position(':stream/' IN {arn}) > 0 THEN {} ELSE '' END",
        d.before_first(&d.after_last(arn, ":stream/"), "/")
    )
}

/// The view of Kinesis events with the derived columns.
fn events_view(d: &dyn Dialect, window: &Window) -> String {
    let mut fields: Vec<String> = COLUMNS
        .iter()
        .map(|(f, name)| format!("        {} AS {name}", trimmed(d, &d.field(*f))))
        .collect();
    fields.push(format!(
        "        replace(COALESCE({}, ''), {}, '/') AS file_path",
        d.file_path(),
        d.string("\\")
    ));
    let prune = d
        .prune(window)
        .map_or(String::new(), |p| format!("\n    WHERE {p}"));
    let int = |x: String| d.to_int(&x);
    let t = "event_time_text";
    let user = "CASE
            WHEN user_name_field <> '' THEN user_name_field
            WHEN user_type = 'FederatedUser' AND federated <> '' THEN federated
            WHEN issuer_user_name <> '' AND substr(issuer_user_name, 1, 15) = 'AWSReservedSSO_' AND sso_session <> ''
                THEN sso_role || '/' || sso_session
            WHEN issuer_user_name <> '' THEN issuer_user_name
            WHEN user_type = 'Root' THEN 'root'
            WHEN invoked_by <> '' THEN invoked_by
            WHEN on_behalf_of_user_id <> '' THEN on_behalf_of_user_id
            WHEN user_type = 'AWSAccount' AND identity_account_id <> '' AND principal_id <> ''
                THEN identity_account_id || '/' || principal_id
            WHEN principal_id <> '' THEN principal_id
            ELSE 'unknown'
        END";
    let stream = "CASE
            WHEN stream_name <> '' THEN stream_name
            WHEN stream_of_stream_arn <> '' THEN stream_of_stream_arn
            WHEN stream_of_consumer_arn <> '' THEN stream_of_consumer_arn
            WHEN stream_of_resource_arn <> '' THEN stream_of_resource_arn
            ELSE stream_of_resources_arn
        END";
    format!(
        "-- Kinesis Data Streams events, as the CLI counts them: eventSource kinesis.amazonaws.com, \
         not Insights,\n-- with an eventName and an eventTime it reads, in the years 1970 to 9999. \
         Every field is trimmed\n-- (Unicode white space); event_time is in milliseconds since \
         1970-01-01T00:00:00Z.\n\
         {create}
WITH fields AS (
    SELECT
{fields}
    FROM {source} CROSS JOIN (SELECT {ws} AS ws) AS whitespace{prune}
), kinesis AS (
    SELECT fields.*,
        COALESCE({frac}, '') AS frac_text
    FROM fields
    WHERE event_source = '{KINESIS_SOURCE}' AND event_type <> 'AwsCloudTrailInsight' AND event_name <> ''
        AND {valid}
), zoned AS (
    SELECT kinesis.*,
        substr({t}, 20 + CASE WHEN frac_text = '' THEN 0 ELSE length(frac_text) + 1 END) AS zone_text
    FROM kinesis
), parts AS (
    SELECT zoned.*,
        {days} AS days,
        {hh} AS hh, {mi} AS mi, {ss} AS ss,
        CASE WHEN frac_text = '' THEN 0 ELSE {ms} END AS ms,
        CASE WHEN zone_text IN ('', 'Z', 'z') THEN 0 ELSE {zh} END AS zone_h,
        CASE WHEN zone_text IN ('', 'Z', 'z') THEN 0 ELSE {zm} END AS zone_m
    FROM zoned
), timed AS (
    SELECT parts.*,
        CAST(days AS BIGINT) * 86400000 + hh * 3600000 + mi * 60000 + ss * 1000 + ms
            - CASE WHEN substr(zone_text, 1, 1) = '-' THEN -1 ELSE 1 END * (zone_h * 3600000 + zone_m * 60000) AS event_time,
        CASE WHEN user_type = 'FederatedUser' AND position('federated-user/' IN identity_arn) > 0
            THEN substr(identity_arn, position('federated-user/' IN identity_arn) + 15) ELSE '' END AS federated,
        -- An IAM Identity Center role's session (the person): after ROLE/ in the ARN's
        -- assumed-role/ROLE/SESSION, else after the first ':' of the principal id.
        CASE WHEN position(':assumed-role/' IN identity_arn) > 0
                AND position('/' IN substr(identity_arn, position(':assumed-role/' IN identity_arn) + 14)) > 0
                AND substr(substr(identity_arn, position(':assumed-role/' IN identity_arn) + 14),
                    position('/' IN substr(identity_arn, position(':assumed-role/' IN identity_arn) + 14)) + 1) <> ''
            THEN substr(substr(identity_arn, position(':assumed-role/' IN identity_arn) + 14),
                position('/' IN substr(identity_arn, position(':assumed-role/' IN identity_arn) + 14)) + 1)
            WHEN position(':' IN principal_id) > 0 THEN substr(principal_id, position(':' IN principal_id) + 1)
            ELSE '' END AS sso_session,
        -- The permission set: the role name without its _<16 hex digits>.
        CASE WHEN {sso_match} THEN {sso_short} ELSE issuer_user_name END AS sso_role,
        {sa} AS stream_of_stream_arn,
        {ca} AS stream_of_consumer_arn,
        {ra} AS stream_of_resource_arn,
        {rsa} AS stream_of_resources_arn,
        CASE WHEN position('AWSLogs/' IN file_path) > 0
            THEN COALESCE({account}, '') ELSE '' END AS path_account
    FROM parts
    WHERE days IS NOT NULL AND hh <= 23 AND mi <= 59 AND ss <= 60 AND zone_h <= 23 AND zone_m <= 59
)
SELECT
    event_time,
    aws_region AS region,
    {user} AS user_name,
    user_type,
    event_name,
    source_ip,
    error_code,
    error_message,
    {stream} AS stream,
    CASE WHEN recipient_account_id <> '' THEN recipient_account_id ELSE path_account END AS account
FROM timed
WHERE event_time >= 0 AND event_time < {END_TIME}",
        create = d.create_view("kinesis_events"),
        fields = fields.join(",\n"),
        source = d.source(),
        ws = d.whitespace(),
        frac = d.extract(t, "^.{19}[.]([0-9]+)", 1),
        valid = d.matches(t, TIME_RE),
        days = d.epoch_days(&format!("substr({t}, 1, 10)")),
        hh = int(format!("substr({t}, 12, 2)")),
        mi = int(format!("substr({t}, 15, 2)")),
        ss = int(format!("substr({t}, 18, 2)")),
        ms = int("rpad(substr(frac_text, 1, 3), 3, '0')".to_string()),
        zh = int("substr(zone_text, 2, 2)".to_string()),
        zm = int("substr(zone_text, length(zone_text) - 1, 2)".to_string()),
        sso_match = d.matches("issuer_user_name", SSO_ROLE_RE),
        sso_short = d.extract("issuer_user_name", SSO_ROLE_RE, 1),
        sa = stream_in_arn(d, "stream_arn"),
        ca = stream_in_arn(d, "consumer_arn"),
        ra = stream_in_arn(d, "resource_arn"),
        rsa = stream_in_arn(d, "resources_arn"),
        account = d.extract(&d.after_last("file_path", "AWSLogs/"), ACCOUNT_RE, 1),
    )
}

/// An IPv4 address as the CLI reads one (`Ipv4Addr`'s syntax: four decimal octets without
/// leading zeros), alone or IPv4-mapped (`::ffff:10.0.0.1`).
const IPV4_RE: &str = "^(?:::[fF]{4}:)?(0|[1-9][0-9]{0,2})[.](0|[1-9][0-9]{0,2})[.](0|[1-9][0-9]{0,2})[.](0|[1-9][0-9]{0,2})\\z";

/// `source_ip` as a 32-bit integer when it is an IPv4 address (or IPv4-mapped), else NULL.
fn ipv4_number(d: &dyn Dialect) -> String {
    let octet = |g: u32| d.to_int(&d.extract("source_ip", IPV4_RE, g));
    format!(
        "CASE WHEN {m} AND {a} <= 255 AND {b} <= 255 AND {c} <= 255 AND {e} <= 255\n        \
         THEN {a} * 16777216 + {b} * 65536 + {c} * 256 + {e} END",
        m = d.matches("source_ip", IPV4_RE),
        a = octet(1),
        b = octet(2),
        c = octet(3),
        e = octet(4),
    )
}

/// Patterns of one kind (to include or to exclude) as one condition on `column`: exact values
/// with `IN`, globs as regexes, networks (`addresses`) as ranges of [`ipv4_number`], stream
/// ARNs (of `stream`) as the name, account and region they name.
fn any_of(
    d: &dyn Dialect,
    column: &str,
    patterns: &[&str],
    flag: &str,
    addresses: bool,
) -> Result<String, PatternError> {
    let mut any = Vec::new();
    let mut exact = Vec::new();
    for &p in patterns {
        if addresses && p.contains('/') {
            let net: ipnetwork::IpNetwork = p.parse().map_err(|e| PatternError {
                pattern: p.to_string(),
                reason: format!("not a network in CIDR notation ({e})"),
            })?;
            let ipnetwork::IpNetwork::V4(v4) = net else {
                return Err(PatternError {
                    pattern: p.to_string(),
                    reason: format!(
                        "{flag}: IPv6 networks are not written as SQL; give the addresses as a \
                         glob (such as '2600:1f18:*')"
                    ),
                });
            };
            let lo = u32::from(v4.network());
            let hi = u32::from(v4.broadcast());
            any.push(format!("source_ipv4 BETWEEN {lo} AND {hi}"));
        } else if let Some(arn) = (column == "stream").then(|| StreamArn::parse(p)).flatten() {
            // That stream in that account and region; an empty account (no recipientAccountId,
            // no S3 key) is matched by the name and region, as the CLI matches it.
            let arn = arn.map_err(|reason| PatternError {
                pattern: p.to_string(),
                reason,
            })?;
            any.push(format!(
                "(stream = {} AND account IN ({}, '') AND region IN ({}, ''))",
                d.string(&arn.name),
                d.string(&arn.account),
                d.string(&arn.region)
            ));
        } else if is_glob(p) {
            any.push(d.matches(column, &glob::to_regex(p)?));
        } else {
            exact.push(d.string(p));
        }
    }
    if !exact.is_empty() {
        any.insert(0, format!("{column} IN ({})", exact.join(", ")));
    }
    Ok(any.join(" OR "))
}

/// One filter as a condition on `column`, as `filter::Matcher` reads its patterns: a value
/// passes when it matches one pattern (if any is given) and no `!PATTERN`; `\!` starts a
/// pattern with a literal `!`.
fn filter(
    d: &dyn Dialect,
    column: &str,
    patterns: &[String],
    flag: &str,
) -> Result<Option<String>, PatternError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let addresses = column == "source_ip";
    let (mut include, mut exclude) = (Vec::new(), Vec::new());
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
    let mut parts = Vec::new();
    if !include.is_empty() {
        parts.push(format!(
            "({})",
            any_of(d, column, &include, flag, addresses)?
        ));
    }
    if !exclude.is_empty() {
        // A NULL (a network pattern against a value that is no IPv4 address) excludes nothing.
        parts.push(format!(
            "NOT COALESCE({}, FALSE)",
            any_of(d, column, &exclude, flag, addresses)?
        ));
    }
    Ok(Some(format!("({})", parts.join(" AND "))))
}

/// The view of the events in the window and through the filters: what every panel counts.
fn matched_view(d: &dyn Dialect, spec: &Spec) -> Result<String, PatternError> {
    let f = &spec.filters;
    let mut conds = Vec::new();
    if let Some(s) = spec.window.since {
        conds.push(format!("event_time >= {s}"));
    }
    if let Some(u) = spec.window.until {
        conds.push(format!("event_time < {u}"));
    }
    for (column, patterns, flag) in [
        ("event_name", &f.event_name, "--event-name"),
        ("region", &f.region, "--region"),
        ("user_name", &f.user, "--user"),
        ("source_ip", &f.source_ip, "--source-ip"),
        ("stream", &f.stream, "--stream"),
        ("account", &f.account, "--account"),
    ] {
        conds.extend(filter(d, column, patterns, flag)?);
    }
    // Networks in --source-ip compare the address as a number.
    let networks = f.source_ip.iter().any(|p| p.contains('/'));
    let window = match (spec.window.since, spec.window.until) {
        (None, None) => "no window".to_string(),
        (s, u) => format!(
            "from {} to {}",
            s.map_or("the start".into(), format_instant),
            u.map_or("the end".into(), format_instant)
        ),
    };
    let wheres = if conds.is_empty() {
        String::new()
    } else {
        format!("\nWHERE {}", conds.join("\n    AND "))
    };
    Ok(format!(
        "-- The events the panels count: {window}, through the filters.\n{}\nSELECT * FROM {source}{wheres}",
        d.create_view("kinesis_matched"),
        source = if networks {
            format!(
                "(SELECT kinesis_events.*,\n        {} AS source_ipv4\n    FROM kinesis_events) AS e",
                ipv4_number(d)
            )
        } else {
            "kinesis_events".to_string()
        }
    ))
}

/// A grouped panel: `keys` and their count, by count descending, then the keys ascending.
fn grouped(keys: &[&str], condition: Option<&str>, limit: Option<usize>) -> String {
    let k = keys.join(", ");
    let wheres = condition.map_or(String::new(), |c| format!("\nWHERE {c}"));
    let limit = limit.map_or(String::new(), |n| format!("\nLIMIT {n}"));
    format!(
        "SELECT {k}, COUNT(*) AS count\nFROM kinesis_matched{wheres}\nGROUP BY {k}\nORDER BY count DESC, {k}{limit}"
    )
}

/// The query of panel `id`.
fn panel(d: &dyn Dialect, spec: &Spec, id: &str) -> Result<String, PatternError> {
    Ok(match id {
        "events" => format!(
            "-- percent: count * 100 / all counted events, in hundredths rounded half up, exactly.\n\
             SELECT event_name, count, CAST({} / 100.0 AS DECIMAL(18, 2)) AS percent\n\
             FROM (SELECT event_name, COUNT(*) AS count FROM kinesis_matched GROUP BY event_name) AS g\n\
             CROSS JOIN (SELECT COUNT(*) AS total FROM kinesis_matched) AS t\n\
             ORDER BY count DESC, event_name",
            d.div("count * 20000 + total", "2 * total")
        ),
        "events-over-time" => over_time(d, spec),
        "api-calls" => grouped(
            &["region", "user_name", "event_name", "source_ip"],
            None,
            None,
        )
        .replacen(
            "SELECT region, user_name,",
            "SELECT region, user_name AS user,",
            1,
        ),
        "by-user" => grouped(&["user_name", "event_name"], None, None).replacen(
            "SELECT user_name,",
            "SELECT user_name AS user,",
            1,
        ),
        "by-region" => grouped(&["region", "event_name"], None, None),
        "errors" => grouped(
            &[
                "error_code",
                "error_message",
                "event_name",
                "user_name",
                "source_ip",
            ],
            Some("error_code <> ''"),
            None,
        )
        .replacen(
            "event_name, user_name, source_ip, COUNT",
            "event_name, user_name AS user, source_ip, COUNT",
            1,
        ),
        "top-users" => {
            let types: Vec<String> = PERSON_TYPES.iter().map(|t| d.string(t)).collect();
            format!(
                "-- The --top users among identities of type {}.\n{}",
                PERSON_TYPES.join(", "),
                grouped(
                    &["user_name"],
                    Some(&format!("user_type IN ({})", types.join(", "))),
                    (spec.top > 0).then_some(spec.top),
                )
                .replacen("SELECT user_name,", "SELECT user_name AS user,", 1)
            )
        }
        LOCATIONS => format!(
            "-- Engines have no GeoIP database: calls by source address, for\n\
             -- `kinesis-insights events --panel locations --geoip DB --from-csv FILE`.\n{}",
            grouped(&["source_ip"], None, None)
        ),
        other => unreachable!("no SQL for panel {other}"),
    })
}

/// `bucket_start(a, w)` (floor to a multiple of `w`, negative times too).
fn bucket_start(a: &str, w: &str) -> String {
    format!("({a} - ((({a}) % ({w})) + ({w})) % ({w}))")
}

/// Buckets of `w` from the one holding `s` to the one holding `e`.
fn bucket_count(d: &dyn Dialect, s: &str, e: &str, w: &str) -> String {
    format!(
        "({} + 1)",
        d.div(
            &format!("{} - {}", bucket_start(e, w), bucket_start(s, w)),
            w
        )
    )
}

/// `panels::events::default_bucket` over `(s, e)`: 1h up to 7 days, else the shortest of 3h,
/// 6h, 12h, 1d giving at most 300 buckets, else 7d.
fn default_bucket(d: &dyn Dialect, s: &str, e: &str) -> String {
    let mut out = format!("CASE WHEN {e} - {s} <= {} THEN {HOUR}", 7 * DAY);
    for w in [3 * HOUR, 6 * HOUR, 12 * HOUR, DAY] {
        let _ = write!(
            out,
            " WHEN {} <= {} THEN {w}",
            bucket_count(d, s, e, &w.to_string()),
            crate::window::MAX_AUTO_BUCKETS
        );
    }
    let _ = write!(out, " ELSE {} END", 7 * DAY);
    out
}

/// The over-time panel: every event name in every bucket of the range, zero-filled, as
/// `panels::events::events_over_time` builds it.
fn over_time(d: &dyn Dialect, spec: &Spec) -> String {
    let start = spec
        .window
        .since
        .map_or("first_event".to_string(), |s| s.to_string());
    let end = match (spec.window.until, spec.open_end) {
        (Some(u), _) => (u - 1).to_string(),
        (None, Some(o)) => format!("GREATEST(last_event, {o})"),
        (None, None) => "last_event".to_string(),
    };
    let sizing = match spec.bucket {
        Some(b) => format!(
            "-- --bucket {}: at most {MAX_BUCKETS} buckets, as the CLI refuses more.
    SELECT range_start AS shown_start, range_end AS shown_end, CAST({b} AS BIGINT) AS width FROM ranged",
            format_duration(b)
        ),
        None => {
            let mut fallback = format!(
                "CASE WHEN fits THEN auto_width WHEN {} <= {MAX_BUCKETS} THEN events_width",
                bucket_count(d, "events_start", "events_end", "events_width")
            );
            for w in [30 * DAY, 365 * DAY, 3650 * DAY] {
                let _ = write!(
                    fallback,
                    " WHEN {} <= {MAX_BUCKETS} THEN {w}",
                    bucket_count(d, "events_start", "events_end", &w.to_string())
                );
            }
            fallback.push_str(&format!(" ELSE {} END", 36500 * DAY));
            format!(
                "-- No --bucket: 1h up to 7 days, else the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets,
    -- a range needing more than {MAX_BUCKETS} of those is shown over the events' own range only, in the
    -- default width over that range, widened to 30d, 365d and tenfold beyond until it fits.
    SELECT
        CASE WHEN fits THEN range_start ELSE events_start END AS shown_start,
        CASE WHEN fits THEN range_end ELSE events_end END AS shown_end,
        CAST({fallback} AS BIGINT) AS width
    FROM (SELECT fitted.*, {events_width} AS events_width
        FROM (SELECT auto.*, {fits} <= {MAX_BUCKETS} AS fits,
                GREATEST(first_event, range_start) AS events_start,
                GREATEST(LEAST(last_event, range_end), first_event) AS events_end
            FROM (SELECT ranged.*, {auto} AS auto_width FROM ranged) AS auto) AS fitted) AS narrowed",
                fits = bucket_count(d, "range_start", "range_end", "auto_width"),
                auto = default_bucket(d, "range_start", "range_end"),
                events_width = default_bucket(d, "events_start", "events_end"),
            )
        }
    };
    let count = bucket_count(d, "shown_start", "shown_end", "width");
    format!(
        "-- Every event name counted, in every bucket from the window's start (or the first event's) to its end
-- (or the last event's, or when this was written when --since was a duration), zero-filled.
WITH counted AS (
    SELECT MIN(event_time) AS first_event, MAX(event_time) AS last_event, COUNT(*) AS events FROM kinesis_matched
), ranged AS (
    SELECT first_event, last_event, CAST({start} AS BIGINT) AS range_start, CAST({end} AS BIGINT) AS range_end
    FROM counted WHERE events > 0
), shown AS (
    {sizing}
), buckets AS (
    SELECT shown.*, {first} AS first_bucket,
        CASE WHEN {count} > {MAX_BUCKETS}
            THEN {fail} ELSE {count} END AS n
    FROM shown WHERE shown_end >= shown_start
), bucket_starts AS (
    SELECT first_bucket + i * width AS bucket, width FROM ({series}) AS s
), names AS (
    SELECT DISTINCT event_name FROM kinesis_matched
), counts AS (
    SELECT m.event_name, {mb} AS bucket, COUNT(*) AS count
    FROM kinesis_matched AS m CROSS JOIN (SELECT width FROM buckets) AS w
    GROUP BY m.event_name, {mb}
)
SELECT {time} AS time, names.event_name, COALESCE(counts.count, 0) AS count
FROM bucket_starts CROSS JOIN names
LEFT JOIN counts ON counts.event_name = names.event_name AND counts.bucket = bucket_starts.bucket
ORDER BY bucket_starts.bucket, names.event_name",
        first = bucket_start("shown_start", "width"),
        fail = d.fail(&format!(
            "events-over-time: more than {MAX_BUCKETS} buckets would be needed; choose a larger \
             --bucket or a narrower --since/--until"
        )),
        series = d.series("buckets", "n"),
        mb = bucket_start("m.event_time", "w.width"),
        time = d.format_time("bucket_starts.bucket"),
    )
}

/// Buckets the over-time panel needs with `--bucket b` over a window closed at both ends, when
/// that is known before the engine runs: more than the CLI allows is the CLI's error.
pub fn check_buckets(spec: &Spec) -> Result<(), String> {
    if let (Some(b), Some(s), Some(u)) = (spec.bucket, spec.window.since, spec.window.until) {
        let n = (crate::window::bucket_start(u - 1, b) - crate::window::bucket_start(s, b)) / b + 1;
        if n as u64 > MAX_BUCKETS {
            return Err(format!(
                "panel 'events-over-time': {n} buckets of {} would be needed (at most \
                 {MAX_BUCKETS}); choose a larger --bucket or a narrower --since/--until",
                format_duration(b)
            ));
        }
    }
    Ok(())
}
