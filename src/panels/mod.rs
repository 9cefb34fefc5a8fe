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

/// A table's rows, in their final order: each row's cells, or for a long-form time series
/// ([`Rows::series`]) each series' key once and each row's time and value. A day of
/// five-minute buckets is 288 rows a series, and the key cells of every row, each with its own
/// reference to the shared text, were most of the cost of building and freeing a metrics panel.
#[derive(Debug, Clone, Default)]
pub struct Rows(Store);

#[derive(Debug, Clone)]
enum Store {
    /// Row by row.
    List(Vec<Vec<Cell>>),
    /// Rows of `width` cells, end to end: one allocation for the table, not one a row (the
    /// api-calls and errors panels of a busy trail have tens of thousands of rows).
    Flat { width: usize, cells: Vec<Cell> },
    /// Each series' key cells (a row's cells but its first and last) and where its rows end in
    /// `points`; each row's first and last cell.
    Series {
        keys: Vec<(Box<[Cell]>, usize)>,
        points: Vec<[Cell; 2]>,
    },
    /// Rows whose first cells are drawn from a dictionary per column: each row's code into each
    /// dictionary (`dicts.len()` a row), then `width` cells of its own (see [`Rows::coded`]).
    Coded {
        dicts: Box<[Box<[Cell]>]>,
        codes: Vec<u32>,
        width: usize,
        cells: Vec<Cell>,
    },
}

impl Default for Store {
    fn default() -> Self {
        Store::List(Vec::new())
    }
}

impl Rows {
    /// The rows of a long-form time series, series after series: each series' key (the cells
    /// of the columns between the first and the last) and its rows' first and last cells (the
    /// time and the value).
    pub fn series(series: impl IntoIterator<Item = (Vec<Cell>, Vec<[Cell; 2]>)>) -> Rows {
        let (mut keys, mut points) = (Vec::new(), Vec::new());
        for (key, p) in series {
            if p.is_empty() {
                continue;
            }
            points.extend(p);
            keys.push((key.into_boxed_slice(), points.len()));
        }
        Rows(Store::Series { keys, points })
    }

    /// Rows of `width` cells (at least one), end to end in `cells`.
    pub fn flat(width: usize, cells: Vec<Cell>) -> Rows {
        assert!(
            width > 0 && cells.len().is_multiple_of(width),
            "rows of {width} cells"
        );
        Rows(Store::Flat { width, cells })
    }

    /// Rows whose first `dicts.len()` cells (at least one) are drawn from a dictionary per
    /// column, then `width` cells of their own: row `i`'s cell in column `j` is
    /// `dicts[j][codes[i * dicts.len() + j]]`, and its own are `cells[i * width..][..width]`.
    /// The rows of a grouping repeat a few thousand distinct strings over tens of thousands of
    /// rows (the api-calls and errors panels of a busy trail): a code a cell is a quarter of
    /// the memory of a cell, and the rows are made without a reference count per cell (each
    /// an atomic update of a string other threads' panels share).
    pub fn coded(dicts: Vec<Box<[Cell]>>, codes: Vec<u32>, width: usize, cells: Vec<Cell>) -> Rows {
        let n = dicts.len();
        assert!(
            n > 0 && codes.len().is_multiple_of(n),
            "{} codes of rows of {n} coded cells",
            codes.len()
        );
        assert_eq!(
            codes.len() / n * width,
            cells.len(),
            "rows of {width} own cells"
        );
        debug_assert!(
            codes
                .chunks_exact(n)
                .all(|row| row.iter().zip(&dicts).all(|(&c, d)| (c as usize) < d.len())),
            "codes within their dictionaries"
        );
        Rows(Store::Coded {
            dicts: dicts.into_boxed_slice(),
            codes,
            width,
            cells,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.0 {
            Store::List(rows) => rows.len(),
            Store::Flat { width, cells } => cells.len() / width,
            Store::Series { points, .. } => points.len(),
            Store::Coded { dicts, codes, .. } => codes.len() / dicts.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dictionaries of the coded cells, by column (none but for [`Rows::coded`]).
    pub fn dicts(&self) -> &[Box<[Cell]>] {
        match &self.0 {
            Store::Coded { dicts, .. } => dicts,
            _ => &[],
        }
    }

    /// Every row, in order.
    pub fn iter(&self) -> RowIter<'_> {
        self.range(0..self.len())
    }

    /// The rows `range` (within `0..len()`), in order.
    pub fn range(&self, range: std::ops::Range<usize>) -> RowIter<'_> {
        let end = range.end.min(self.len());
        let series = match &self.0 {
            Store::List(_) | Store::Flat { .. } | Store::Coded { .. } => 0,
            Store::Series { keys, .. } => keys.partition_point(|(_, end)| *end <= range.start),
        };
        RowIter {
            rows: self,
            at: range.start.min(end),
            end,
            series,
        }
    }
}

impl From<Vec<Vec<Cell>>> for Rows {
    fn from(rows: Vec<Vec<Cell>>) -> Self {
        Rows(Store::List(rows))
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = Row<'a>;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// The rows of a [`Rows`], in order.
#[derive(Debug, Clone)]
pub struct RowIter<'a> {
    rows: &'a Rows,
    at: usize,
    end: usize,
    /// With series: the series of row `at`.
    series: usize,
}

impl<'a> Iterator for RowIter<'a> {
    type Item = Row<'a>;

    #[inline]
    fn next(&mut self) -> Option<Row<'a>> {
        if self.at >= self.end {
            return None;
        }
        let i = self.at;
        self.at += 1;
        Some(match &self.rows.0 {
            Store::List(rows) => Row {
                first: &rows[i],
                ..Row::default()
            },
            Store::Flat { width, cells } => Row {
                first: &cells[i * width..(i + 1) * width],
                ..Row::default()
            },
            Store::Series { keys, points } => {
                while keys[self.series].1 <= i {
                    self.series += 1;
                }
                let [first, last] = &points[i];
                Row {
                    first: std::slice::from_ref(first),
                    key: &keys[self.series].0,
                    last: std::slice::from_ref(last),
                    ..Row::default()
                }
            }
            Store::Coded {
                dicts,
                codes,
                width,
                cells,
            } => {
                let n = dicts.len();
                Row {
                    dicts,
                    codes: &codes[i * n..(i + 1) * n],
                    first: &cells[i * width..(i + 1) * width],
                    ..Row::default()
                }
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.at;
        (n, Some(n))
    }
}

impl ExactSizeIterator for RowIter<'_> {}

/// One row of a [`Rows`]: its cells, by column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Row<'a> {
    /// The dictionaries of the coded cells, which come first, and the row's codes into them.
    dicts: &'a [Box<[Cell]>],
    codes: &'a [u32],
    first: &'a [Cell],
    key: &'a [Cell],
    last: &'a [Cell],
}

impl<'a> Row<'a> {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.codes.len() + self.first.len() + self.key.len() + self.last.len()
    }

    /// True when the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cells, by column.
    pub fn iter(&self) -> <Self as IntoIterator>::IntoIter {
        self.into_iter()
    }

    /// The coded cells, which come first: each column's dictionary and the row's code into it
    /// (none but for [`Rows::coded`]).
    pub fn coded(&self) -> (&'a [Box<[Cell]>], &'a [u32]) {
        (self.dicts, self.codes)
    }

    /// The cells after the [coded](Row::coded) ones in three runs, by column: the row's own
    /// first cells, the cells it shares with the other rows of its series (none for rows of
    /// their own: the same slice, address and length, for every row of a series), and its own
    /// last cells.
    pub fn parts(&self) -> [&'a [Cell]; 3] {
        [self.first, self.key, self.last]
    }

    /// The cell of column `i` (panics past the last, as a slice does).
    pub fn cell(&self, i: usize) -> &'a Cell {
        if let Some(&code) = self.codes.get(i) {
            return &self.dicts[i][code as usize];
        }
        let i = i - self.codes.len();
        if i < self.first.len() {
            return &self.first[i];
        }
        let i = i - self.first.len();
        if i < self.key.len() {
            return &self.key[i];
        }
        &self.last[i - self.key.len()]
    }
}

impl<'a> IntoIterator for Row<'a> {
    type Item = &'a Cell;
    type IntoIter = Cells<'a>;

    fn into_iter(self) -> Cells<'a> {
        Cells {
            dicts: self.dicts,
            codes: self.codes.iter(),
            rest: self.first.iter().chain(self.key).chain(self.last),
        }
    }
}

/// The cells of a [`Row`], by column.
#[derive(Debug, Clone)]
pub struct Cells<'a> {
    /// The dictionaries of the codes left.
    dicts: &'a [Box<[Cell]>],
    codes: std::slice::Iter<'a, u32>,
    rest: std::iter::Chain<
        std::iter::Chain<std::slice::Iter<'a, Cell>, std::slice::Iter<'a, Cell>>,
        std::slice::Iter<'a, Cell>,
    >,
}

impl<'a> Iterator for Cells<'a> {
    type Item = &'a Cell;

    #[inline]
    fn next(&mut self) -> Option<&'a Cell> {
        if let Some(&code) = self.codes.next() {
            let (dict, rest) = self.dicts.split_first()?;
            self.dicts = rest;
            return Some(&dict[code as usize]);
        }
        self.rest.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.codes.len() + self.rest.size_hint().0;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Cells<'_> {}

impl std::ops::Index<usize> for Row<'_> {
    type Output = Cell;

    fn index(&self, i: usize) -> &Cell {
        self.cell(i)
    }
}

impl PartialEq for Row<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
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
    pub rows: Rows,
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
    pub rows: Rows,
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
            rows: rows.into(),
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

    /// Series rows read as the same rows written out one by one: every range, across series
    /// of different lengths, with series of no rows left out, and each series' rows showing the
    /// one key slice.
    #[test]
    fn series_rows_are_their_rows_in_full() {
        let lens = [3, 0, 1, 4, 0, 2];
        let mut list: Vec<Vec<Cell>> = Vec::new();
        let mut series = Vec::new();
        for (s, &n) in lens.iter().enumerate() {
            let key = vec![Cell::text(format!("k{s}")), Cell::Count(s as u64)];
            let points: Vec<[Cell; 2]> = (0..n)
                .map(|i| {
                    [
                        Cell::Time(i as i64 * 60_000),
                        Cell::Float(s as f64 + i as f64 / 4.0),
                    ]
                })
                .collect();
            for [t, v] in &points {
                list.push(vec![t.clone(), key[0].clone(), key[1].clone(), v.clone()]);
            }
            series.push((key, points));
        }
        let rows = Rows::series(series);
        let plain = Rows::from(list.clone());
        assert_eq!(rows.len(), 10);
        assert_eq!(rows, plain);
        every_range_is(&rows, &list);
        // The rows of one series share their key slice; the next series' is another.
        let all: Vec<Row<'_>> = rows.iter().collect();
        let key = |r: &Row<'_>| r.parts()[1] as *const [Cell];
        assert!(std::ptr::eq(key(&all[0]), key(&all[2])));
        assert!(!std::ptr::eq(key(&all[2]), key(&all[3])));
        assert_eq!(all[3].parts()[0], [Cell::Time(0)]);
        assert_ne!(rows, Rows::from(list[..9].to_vec()));
    }

    /// Every range of `rows` (and one past its end) holds the rows of `list` it names, read as
    /// a whole and cell by cell.
    fn every_range_is(rows: &Rows, list: &[Vec<Cell>]) {
        for a in 0..=list.len() {
            for b in a..=list.len() + 1 {
                let got: Vec<Vec<Cell>> = rows
                    .range(a..b)
                    .map(|r| r.iter().cloned().collect())
                    .collect();
                assert_eq!(got, list[a..b.min(list.len())], "{a}..{b}");
                assert_eq!(rows.range(a..b).len(), b.min(list.len()) - a);
                for (r, want) in rows.range(a..b).zip(&list[a..]) {
                    assert_eq!(r.len(), want.len());
                    for (i, c) in want.iter().enumerate() {
                        assert_eq!(&r[i], c);
                    }
                }
            }
        }
    }

    /// Flat rows read as the same rows one by one, over every range.
    #[test]
    fn flat_rows_are_their_rows() {
        let list: Vec<Vec<Cell>> = (0..7u64)
            .map(|i| vec![Cell::text(format!("r{i}")), Cell::Null, Cell::Count(i * 3)])
            .collect();
        let rows = Rows::flat(3, list.concat());
        assert_eq!(rows.len(), 7);
        assert_eq!(rows, Rows::from(list.clone()));
        every_range_is(&rows, &list);
        assert!(Rows::flat(2, Vec::new()).is_empty());
        assert_ne!(rows, Rows::from(list[..6].to_vec()));
    }

    /// Coded rows read as the same rows one by one, over every range: cells drawn from
    /// dictionaries of different sizes (a code repeated, a dictionary entry no row uses), then
    /// cells of their own, none or two.
    #[test]
    fn coded_rows_are_their_rows() {
        let dicts: Vec<Box<[Cell]>> = vec![
            vec![Cell::text("a"), Cell::text("b"), Cell::text("c")].into(),
            vec![Cell::text("x")].into(),
        ];
        let codes = vec![2, 0, 0, 0, 2, 0, 1, 0, 0, 0];
        let rows: Vec<(u32, u32)> = codes.chunks(2).map(|c| (c[0], c[1])).collect();
        let text = |c: u32| ["a", "b", "c"][c as usize];
        let own = |i: usize| vec![Cell::Count(i as u64), Cell::Null];
        let list: Vec<Vec<Cell>> = rows
            .iter()
            .enumerate()
            .map(|(i, &(a, _))| [vec![Cell::text(text(a)), Cell::text("x")], own(i)].concat())
            .collect();
        let coded = Rows::coded(
            dicts.clone(),
            codes.clone(),
            2,
            (0..rows.len()).flat_map(own).collect(),
        );
        assert_eq!(coded.len(), 5);
        assert_eq!(coded, Rows::from(list.clone()));
        every_range_is(&coded, &list);
        let row = coded.iter().nth(3).expect("a fourth row");
        assert_eq!(row.coded().1, [1, 0]);
        assert_eq!(row.parts()[0], own(3));
        assert_eq!(row.iter().len(), 4);
        // No cells of their own.
        let bare = Rows::coded(dicts, codes, 0, Vec::new());
        let list: Vec<Vec<Cell>> = list.iter().map(|r| r[..2].to_vec()).collect();
        assert_eq!(bare, Rows::from(list.clone()));
        every_range_is(&bare, &list);
        assert!(Rows::coded(vec![Box::new([])], Vec::new(), 1, Vec::new()).is_empty());
    }

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
