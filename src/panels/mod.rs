//! Panels as data: a panel is an id, a title, its columns and a function from an aggregate to
//! rows. Every renderer (table, CSV, JSON, and later HTML or SQL) takes the render-neutral
//! [`Table`] and knows nothing of CloudTrail or CloudWatch.

pub mod events;
pub mod from_csv;
pub mod health;
pub mod metrics;

use std::borrow::Cow;
use std::sync::Arc;

use crate::window::Millis;

/// One value in a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, exactly as in the input (renderers neutralise it for terminals). Shared, so that
    /// a value many rows show (an event name, a region) or that the aggregate already holds is
    /// not copied into every cell.
    Text(Arc<str>),
    /// A count.
    Count(u64),
    /// A percentage in hundredths of a percent (1234 = 12.34%), exact.
    Percent(u64),
    /// A measured value, written at full precision.
    Float(f64),
    /// A bucket start, written `YYYY-MM-DDTHH:MM:SSZ`.
    Time(Millis),
    /// No value: empty in CSV, `null` in JSON.
    Null,
}

impl Cell {
    /// Text as a cell.
    pub fn text(s: impl AsRef<str>) -> Self {
        Cell::Text(Arc::from(s.as_ref()))
    }
}

/// How a table reads best in a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Rows as they are.
    Rows,
    /// A bar chart of `value` summed by `label`, then the rows.
    Bars {
        /// Column whose values label the bars.
        label: usize,
        /// Column of the value.
        value: usize,
    },
    /// A time series in long form (one row per bucket and series): shown as one line per
    /// series with a sparkline of its buckets.
    Series {
        /// Column of the bucket start.
        time: usize,
        /// Columns naming the series.
        keys: Vec<usize>,
        /// Column of the value.
        value: usize,
        /// Bucket width.
        bucket: Millis,
        /// What each series' line shows.
        summary: SeriesSummary,
        /// Unit of the value (`count`, `MiB`, `ms`, `ratio`), for chart axes.
        unit: &'static str,
    },
}

/// The figures shown beside each series' sparkline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesSummary {
    /// Counts: total and peak bucket; missing buckets are zero.
    Total,
    /// Measurements: min, average, max and last of the buckets that have data; missing
    /// buckets are gaps.
    Stats,
}

/// A render-neutral panel result.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Panel id (`events`, `api-calls`, ...), also the file stem with `--output-dir`.
    pub id: &'static str,
    /// Title as the dashboard shows it.
    pub title: Cow<'static, str>,
    /// Column names: the CSV header and the JSON keys.
    pub columns: &'static [&'static str],
    /// Rows, already in their final order.
    pub rows: Vec<Vec<Cell>>,
    /// How the terminal renderer should show it.
    pub view: View,
    /// A remark for readers of the terminal table (e.g. why a panel is empty).
    pub note: Option<String>,
}

/// A panel of a dashboard over aggregate `A` with context `C`.
pub struct PanelDef<A, C> {
    /// Id used by `--panel` and `--output-dir`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Columns.
    pub columns: &'static [&'static str],
    /// One line for `--help` and the README.
    pub about: &'static str,
    /// Builds the rows.
    pub build: fn(&A, &C) -> Result<Built, PanelError>,
}

/// What a panel's build function returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// Rows in final order.
    pub rows: Vec<Vec<Cell>>,
    /// Terminal view.
    pub view: View,
    /// Remark for terminal readers.
    pub note: Option<String>,
    /// A title that depends on the settings (`Top 25 Users`), instead of the panel's own.
    pub title: Option<String>,
}

impl Built {
    /// Plain rows, no note.
    pub fn rows(rows: Vec<Vec<Cell>>) -> Self {
        Built {
            rows,
            view: View::Rows,
            note: None,
            title: None,
        }
    }
}

/// A panel that cannot be built from this data with these settings.
#[derive(Debug, thiserror::Error)]
#[error("panel '{panel}': {reason}")]
pub struct PanelError {
    /// Panel id.
    pub panel: &'static str,
    /// What to do about it.
    pub reason: String,
}

impl<A, C> PanelDef<A, C> {
    /// Builds this panel into a [`Table`].
    pub fn table(&self, agg: &A, ctx: &C) -> Result<Table, PanelError> {
        let built = (self.build)(agg, ctx)?;
        debug_assert!(
            built.rows.iter().all(|r| r.len() == self.columns.len()),
            "{}",
            self.id
        );
        Ok(Table {
            id: self.id,
            title: built.title.map_or(Cow::Borrowed(self.title), Cow::Owned),
            columns: self.columns,
            rows: built.rows,
            view: built.view,
            note: built.note,
        })
    }
}

/// Looks up panels by id, in the order given; `ids` must be valid (clap checks them).
pub fn select<'d, A, C>(defs: &'d [PanelDef<A, C>], ids: &[String]) -> Vec<&'d PanelDef<A, C>> {
    if ids.is_empty() {
        return defs.iter().collect();
    }
    let mut out: Vec<&PanelDef<A, C>> = Vec::new();
    for id in ids {
        if let Some(d) = defs.iter().find(|d| d.id == id)
            && !out.iter().any(|o| o.id == d.id)
        {
            out.push(d);
        }
    }
    out
}

/// `count * 100 / total` in hundredths of a percent, rounded half up, exactly.
pub fn percent_hundredths(count: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    let (c, t) = (u128::from(count), u128::from(total));
    ((c * 20_000 + t) / (2 * t)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_exactly() {
        assert_eq!(percent_hundredths(1, 3), 3333);
        assert_eq!(percent_hundredths(2, 3), 6667);
        assert_eq!(percent_hundredths(1, 8), 1250);
        assert_eq!(percent_hundredths(1, 80_000), 0); // 0.00125% -> 0.00
        assert_eq!(percent_hundredths(1, 20_000), 1); // 0.005% -> 0.01: half up
        assert_eq!(percent_hundredths(5, 5), 10_000);
        assert_eq!(percent_hundredths(0, 0), 0);
        assert_eq!(percent_hundredths(u64::MAX, u64::MAX), 10_000);
    }
}
