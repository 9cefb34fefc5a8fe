//! DuckDB: a view over the trail's files read as JSON documents (`read_json_objects`), each
//! record's fields taken with JSON paths, so digest files (no `Records`) and fields of
//! unexpected types are read as the CLI reads them.

use super::dialect::{Dialect, WHITESPACE};
use super::json_path;
use crate::cloudtrail::Field;

/// DuckDB over `location`: a local folder (every `*.json.gz` under it), a glob, or an
/// `s3://` URL (with the `httpfs` extension).
pub struct DuckDb {
    /// What `read_json_objects` reads.
    pub files: String,
}

impl DuckDb {
    /// `location` as `read_json_objects` takes it: a folder (no glob characters, not a
    /// `.json`/`.gz` file) becomes `location/**/*.json.gz`.
    pub fn new(location: &str) -> Self {
        let is_file = location.ends_with(".json") || location.ends_with(".gz");
        let files = if crate::filter::is_glob(location) || is_file {
            location.to_string()
        } else {
            format!("{}/**/*.json.gz", location.trim_end_matches('/'))
        };
        DuckDb { files }
    }
}

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn setup(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.files.starts_with("s3://") {
            out.push(
                "-- s3:// needs the httpfs extension and credentials (CREATE SECRET (TYPE s3, \
                 PROVIDER credential_chain))\nINSTALL httpfs"
                    .to_string(),
            );
            out.push("LOAD httpfs".to_string());
        }
        out.push(format!(
            "-- Every record of every file: the files are read as JSON documents (gzip by their \
             name), whatever\n-- their fields' types; digest files have no Records and give \
             none. A file may hold up to 1 GiB of JSON.\n\
             {} SELECT unnest(json_extract(json, '$.Records[*]')) AS record, filename AS file_path\n\
             FROM read_json_objects({}, format = 'auto', filename = true, maximum_object_size = 1073741824)",
            self.create_view("cloudtrail_records"),
            self.string(&self.files)
        ));
        out
    }

    fn source(&self) -> String {
        "cloudtrail_records".into()
    }

    fn field(&self, f: Field) -> String {
        let path = self.string(&json_path(f));
        // Only strings count: a number or an object where a name belongs reads as absent.
        format!(
            "CASE WHEN json_type(record, {path}) = 'VARCHAR' THEN json_extract_string(record, {path}) END"
        )
    }

    fn file_path(&self) -> String {
        "file_path".into()
    }

    fn create_view(&self, name: &str) -> String {
        format!("CREATE OR REPLACE TEMP VIEW {name} AS")
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
        format!("regexp_matches({x}, {})", self.string(re))
    }

    fn extract(&self, x: &str, re: &str, group: u32) -> String {
        format!("regexp_extract({x}, {}, {group})", self.string(re))
    }

    fn after_last(&self, x: &str, delim: &str) -> String {
        format!("string_split({x}, {})[-1]", self.string(delim))
    }

    fn before_first(&self, x: &str, delim: &str) -> String {
        format!("split_part({x}, {}, 1)", self.string(delim))
    }

    fn div(&self, a: &str, b: &str) -> String {
        format!("(({a}) // ({b}))")
    }

    fn to_int(&self, x: &str) -> String {
        format!("TRY_CAST({x} AS BIGINT)")
    }

    fn epoch_days(&self, x: &str) -> String {
        format!("date_diff('day', DATE '1970-01-01', TRY_CAST({x} AS DATE))")
    }

    fn format_time(&self, ms: &str) -> String {
        format!("strftime(epoch_ms({ms}), '%Y-%m-%dT%H:%M:%SZ')")
    }

    fn series(&self, rel: &str, n: &str) -> String {
        format!("SELECT {rel}.*, unnest(range(0, {rel}.{n})) AS i FROM {rel}")
    }

    fn fail(&self, message: &str) -> String {
        format!("CAST(error({}) AS BIGINT)", self.string(message))
    }
}
