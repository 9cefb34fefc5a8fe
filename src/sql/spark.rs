//! Spark SQL: a temporary view over the trail's files read with the JSON source, each file's
//! `Records` as an array of JSON texts (so no schema is inferred and fields of any type are
//! read), each field taken with `get_json_object`.

use super::dialect::{Dialect, WHITESPACE};
use super::json_path;
use crate::cloudtrail::Field;

/// Spark over `location`: any Hadoop path (`s3a://bucket/AWSLogs/`, a local folder), walked
/// recursively.
pub struct Spark {
    /// The path.
    pub location: String,
}

impl Dialect for Spark {
    fn name(&self) -> &'static str {
        "spark"
    }

    fn setup(&self) -> Vec<String> {
        vec![
            "-- Times are formatted in UTC; a date that does not exist (02-30) reads as NULL, \
             not an error.\nSET spark.sql.session.timeZone = UTC"
                .to_string(),
            "SET spark.sql.ansi.enabled = false".to_string(),
            format!(
                "-- Each file is one JSON document {{\"Records\": [...]}} (gzip by its name); \
                 digest files have no Records.\n\
                 CREATE OR REPLACE TEMPORARY VIEW cloudtrail_files (Records ARRAY<STRING>)\n\
                 USING json OPTIONS (path {}, multiLine 'true', recursiveFileLookup 'true')",
                self.string(&self.location)
            ),
            format!(
                "{}\nSELECT record, input_file_name() AS file_path FROM cloudtrail_files \
                 LATERAL VIEW explode(Records) r AS record",
                self.create_view("cloudtrail_records")
            ),
        ]
    }

    fn caveats(&self) -> Vec<&'static str> {
        vec![
            "A field of another JSON type (\"userName\": 5) is absent for the CLI; get_json_object reads it as its text.",
        ]
    }

    fn source(&self) -> String {
        "cloudtrail_records".into()
    }

    fn field(&self, f: Field) -> String {
        format!("get_json_object(record, {})", self.string(&json_path(f)))
    }

    fn file_path(&self) -> String {
        "file_path".into()
    }

    fn create_view(&self, name: &str) -> String {
        format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS")
    }

    /// Spark's literals take backslash escapes: backslashes are doubled, quotes escaped.
    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }

    fn whitespace(&self) -> String {
        let chars: String = WHITESPACE.iter().map(|c| format!("\\u{c:04X}")).collect();
        format!("'{chars}'")
    }

    fn trim(&self, x: &str) -> String {
        format!("trim(BOTH ws FROM {x})")
    }

    fn matches(&self, x: &str, re: &str) -> String {
        format!("({x} RLIKE {})", self.string(re))
    }

    fn extract(&self, x: &str, re: &str, group: u32) -> String {
        format!("regexp_extract({x}, {}, {group})", self.string(re))
    }

    fn after_last(&self, x: &str, delim: &str) -> String {
        format!("substring_index({x}, {}, -1)", self.string(delim))
    }

    fn before_first(&self, x: &str, delim: &str) -> String {
        format!("substring_index({x}, {}, 1)", self.string(delim))
    }

    fn div(&self, a: &str, b: &str) -> String {
        format!("(({a}) DIV ({b}))")
    }

    fn to_int(&self, x: &str) -> String {
        format!("CAST({x} AS BIGINT)")
    }

    fn epoch_days(&self, x: &str) -> String {
        format!("unix_date(to_date({x}, 'yyyy-MM-dd'))")
    }

    fn format_time(&self, ms: &str) -> String {
        format!("date_format(timestamp_millis({ms}), 'yyyy-MM-dd\\'T\\'HH:mm:ss\\'Z\\'')")
    }

    fn series(&self, rel: &str, n: &str) -> String {
        format!("SELECT {rel}.*, explode(sequence(0, {rel}.{n} - 1)) AS i FROM {rel}")
    }

    fn fail(&self, message: &str) -> String {
        format!("CAST(raise_error({}) AS BIGINT)", self.string(message))
    }
}
