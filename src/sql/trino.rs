//! Athena and Trino: the table over the trail's S3 prefix in the form the AWS documentation
//! gives for CloudTrail (`CloudTrailInputFormat` with the Hive JSON SerDe, partition
//! projection), or an existing table of that form (`--table`); fields read from its columns.
//!
//! The table is Hive DDL, which Athena runs and Trino does not: for `trino` it is printed as a
//! comment to run once in Athena (or Hive) on the Glue catalog Trino reads.

use super::dialect::{Dialect, WHITESPACE};
use crate::cloudtrail::Field;
use crate::window::{Millis, Window};

/// Table created when `--table` is not given.
pub const DEFAULT_TABLE: &str = "kinesis_insights_cloudtrail";

/// The commercial regions a trail delivers to, for the projection of the `region`
/// partition (a region missing here is simply not read: add it to the table's
/// `projection.region.values`).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Athena or Trino over `location` (`s3://bucket/AWSLogs/ACCOUNT/CloudTrail/`).
pub struct Trino {
    /// `athena` or `trino`.
    pub engine: &'static str,
    /// The trail's prefix for one account, up to `CloudTrail/`.
    pub location: String,
    /// The table to read; created unless `existing`.
    pub table: String,
    /// `--table` was given: the table exists.
    pub existing: bool,
    /// First day of the `timestamp` projection (`yyyy/MM/dd`).
    pub first_day: String,
}

/// `yyyy/MM/dd` of `t`, as the `timestamp` partition is named.
pub fn partition_day(t: Millis) -> String {
    let s = crate::window::format_time(t);
    format!("{}/{}/{}", &s[0..4], &s[5..7], &s[8..10])
}

impl Trino {
    /// The AWS documentation's CloudTrail table with partition projection, with `region`
    /// projected as well as `timestamp` (the documentation's table is of one region).
    pub fn ddl(&self) -> String {
        let loc = format!("{}/", self.location.trim_end_matches('/'));
        format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<
            userid: STRING,
            identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>,
            sessionissuer: STRUCT<
                type: STRING,
                principalid: STRING,
                arn: STRING,
                accountid: STRING,
                username: STRING>,
            ec2roledelivery: STRING,
            webidfederationdata: STRUCT<
                federatedprovider: STRING,
                attributes: MAP<STRING,STRING>>
        >
    >,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<
        reason: STRING,
        updatedfields: STRING,
        originalrequestid: STRING,
        originaleventid: STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<
        tlsversion: STRING,
        ciphersuite: STRING,
        clientprovidedhostheader: STRING>
)
PARTITIONED BY (region STRING, `timestamp` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION {location}
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.region.type' = 'enum',
    'projection.region.values' = '{regions}',
    'projection.timestamp.format' = 'yyyy/MM/dd',
    'projection.timestamp.interval' = '1',
    'projection.timestamp.interval.unit' = 'DAYS',
    'projection.timestamp.range' = '{first_day},NOW',
    'projection.timestamp.type' = 'date',
    'storage.location.template' = {template}
)",
            table = self.table,
            location = self.string(&loc),
            regions = REGIONS.join(","),
            first_day = self.first_day,
            template = self.string(&format!("{loc}${{region}}/${{timestamp}}")),
        )
    }
}

impl Dialect for Trino {
    fn name(&self) -> &'static str {
        self.engine
    }

    fn setup(&self) -> Vec<String> {
        if self.existing {
            return vec![];
        }
        let head = "-- The CloudTrail table of the AWS documentation (Athena: \"Create the table \
                    for CloudTrail logs in Athena\n-- using partition projection\"), over one \
                    account's prefix, with the region projected too.";
        if self.engine == "athena" {
            return vec![format!("{head}\n{}", self.ddl())];
        }
        // Trino does not run Hive DDL: the table is made once in Athena or Hive on the
        // metastore (Glue) that Trino's Hive connector reads (with
        // hive.partition-projection-enabled=true).
        let commented: String = self.ddl().lines().map(|l| format!("-- {l}\n")).collect();
        vec![format!(
            "{head}\n-- Trino does not run Hive DDL: create it once in Athena (or Hive) on the \
             Glue or Hive metastore Trino's\n-- Hive connector reads \
             (hive.partition-projection-enabled=true), or name an existing table with --table:\n\
             {}",
            commented.trim_end()
        )]
    }

    fn caveats(&self) -> Vec<&'static str> {
        vec![
            "A field of another JSON type (\"userName\": 5) is absent for the CLI; the Hive JSON SerDe and",
            "json_extract_scalar read it as its text. Only the regions in the table's projection are read.",
        ]
    }

    fn source(&self) -> String {
        self.table.clone()
    }

    fn field(&self, f: Field) -> String {
        let rp = |key: &str| format!("json_extract_scalar(requestparameters, '$.{key}')");
        match f {
            Field::EventTime => "eventtime".into(),
            Field::EventSource => "eventsource".into(),
            Field::EventName => "eventname".into(),
            Field::EventType => "eventtype".into(),
            Field::EventId => "eventid".into(),
            Field::AwsRegion => "awsregion".into(),
            Field::SourceIp => "sourceipaddress".into(),
            Field::ErrorCode => "errorcode".into(),
            Field::ErrorMessage => "errormessage".into(),
            Field::RecipientAccountId => "recipientaccountid".into(),
            Field::ResourcesArn => "element_at(resources, 1).arn".into(),
            Field::IdentityType => "useridentity.type".into(),
            Field::UserName => "useridentity.username".into(),
            Field::Arn => "useridentity.arn".into(),
            Field::PrincipalId => "useridentity.principalid".into(),
            Field::InvokedBy => "useridentity.invokedby".into(),
            Field::IssuerUserName => "useridentity.sessioncontext.sessionissuer.username".into(),
            Field::OnBehalfOfUserId => "useridentity.onbehalfof.userid".into(),
            Field::IdentityAccountId => "useridentity.accountid".into(),
            Field::StreamName => rp("streamName"),
            Field::StreamArn => rp("streamARN"),
            Field::ConsumerArn => rp("consumerARN"),
            Field::ResourceArn => rp("resourceARN"),
        }
    }

    fn file_path(&self) -> String {
        "\"$path\"".into()
    }

    /// Only the days the window can need: a file is delivered on the day of its events or
    /// soon after, so a day of margin on each side.
    fn prune(&self, window: &Window) -> Option<String> {
        const DAY: Millis = 86_400_000;
        let mut parts = Vec::new();
        if let Some(s) = window.since {
            parts.push(format!(
                "\"timestamp\" >= {}",
                self.string(&partition_day(s.saturating_sub(DAY).max(0)))
            ));
        }
        if let Some(u) = window.until {
            parts.push(format!(
                "\"timestamp\" <= {}",
                self.string(&partition_day(
                    u.saturating_add(DAY).clamp(0, crate::window::END_TIME - 1)
                ))
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    fn create_view(&self, name: &str) -> String {
        format!("CREATE OR REPLACE VIEW {name} AS")
    }

    fn whitespace(&self) -> String {
        WHITESPACE
            .iter()
            .map(|c| format!("chr({c})"))
            .collect::<Vec<_>>()
            .join(" || ")
    }

    fn trim(&self, x: &str) -> String {
        format!("trim({x}, ws)")
    }

    fn matches(&self, x: &str, re: &str) -> String {
        format!("regexp_like({x}, {})", self.string(re))
    }

    fn extract(&self, x: &str, re: &str, group: u32) -> String {
        format!("regexp_extract({x}, {}, {group})", self.string(re))
    }

    fn after_last(&self, x: &str, delim: &str) -> String {
        format!("element_at(split({x}, {}), -1)", self.string(delim))
    }

    fn before_first(&self, x: &str, delim: &str) -> String {
        format!("split_part({x}, {}, 1)", self.string(delim))
    }

    fn div(&self, a: &str, b: &str) -> String {
        format!("(CAST({a} AS BIGINT) / CAST({b} AS BIGINT))")
    }

    fn to_int(&self, x: &str) -> String {
        format!("TRY_CAST({x} AS BIGINT)")
    }

    fn epoch_days(&self, x: &str) -> String {
        format!("date_diff('day', DATE '1970-01-01', TRY_CAST({x} AS DATE))")
    }

    fn format_time(&self, ms: &str) -> String {
        format!("date_format(from_unixtime(({ms}) / 1000, 'UTC'), '%Y-%m-%dT%H:%i:%sZ')")
    }

    /// Trino's `sequence` makes at most 10,000 elements: 100 × 1,000.
    fn series(&self, rel: &str, n: &str) -> String {
        format!(
            "SELECT {rel}.*, hi * 1000 + lo AS i FROM {rel} \
             CROSS JOIN UNNEST(sequence(0, 99)) AS h(hi) CROSS JOIN UNNEST(sequence(0, 999)) AS l(lo) \
             WHERE hi * 1000 + lo < {rel}.{n}"
        )
    }

    fn fail(&self, message: &str) -> String {
        format!("CAST(fail({}) AS BIGINT)", self.string(message))
    }
}
