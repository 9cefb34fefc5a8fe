//! The parallel pass over the inputs, shared by every command: each worker thread loads files
//! with its own reusable buffers and folds their records into its own accumulator; the
//! accumulators are merged at the end. Reading a format is a [`Reader`]; what to count is its
//! accumulator.
//!
//! Small files (most of any dump) are read whole by one thread each. A file with more text than
//! a chunk is read as a stream: the thread that opened it inflates it and cuts the text into
//! pieces ([`crate::input::chunk`]), and the pieces are read by whichever threads are free, into
//! their own accumulators; what the reader found in each piece is joined in file order. So one
//! big file runs on every core, in memory bounded by the pieces in flight (at most one per
//! thread, plus one being cut), whatever its size.

use std::collections::VecDeque;
use std::io::{IsTerminal, Read as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::cell::RefCell;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use thread_local::ThreadLocal;

use crate::diag::{FileReport, FileStatus};
use crate::input::Source;
use crate::input::chunk::{CutOptions, Cutter, Piece, Pool};
use crate::input::decode::{self, CapReached, Limits, Loader, Opened};
use crate::input::json::Damage;

/// An accumulator that can absorb another of its kind. Merging must not depend on order: any
/// split of the input, merged, gives the single-pass result.
pub trait Merge {
    /// Folds `other` into `self`.
    fn merge(&mut self, other: Self);

    /// Called once on the accumulator a pass returns, after the merges (or on the only one):
    /// lets go of what only the pass needed.
    fn finish(&mut self) {}
}

/// What a reader found in one piece of a file (or a whole file): the pieces' parts are joined
/// in file order into the file's, and the file is judged from that.
pub trait Part: Default + Send {
    /// Adds what the next piece found, as if both had been read as one text.
    fn join(&mut self, next: Self);

    /// The places with broken JSON, positions counted in the piece's own text.
    fn damage_mut(&mut self) -> &mut Vec<Damage>;

    /// Calls `each` with every position the part holds (line, column, and for the place of a
    /// record in an array of records its index there), counted in the piece's own text, so the
    /// pipeline can move them to the file's. The places in `damage_mut` are among them.
    fn positions(&mut self, each: &mut dyn FnMut(&mut usize, &mut usize, Option<&mut u64>));

    /// Counts `n` more damaged places whose details were dropped, to bound memory (a file of
    /// millions of broken lines); they count as skipped like the others.
    fn add_unshown_damage(&mut self, n: u64);
}

/// Damaged places of one file kept with their details (more are counted only).
pub const DAMAGE_KEPT: usize = 64;

fn bound_damage<P: Part>(part: &mut P) {
    let damage = part.damage_mut();
    if damage.len() > DAMAGE_KEPT {
        let extra = damage.len() - DAMAGE_KEPT;
        damage.truncate(DAMAGE_KEPT);
        part.add_unshown_damage(extra as u64);
    }
}

/// One input format: how to recognise files to pass over and how to read decoded text.
pub trait Reader: Sync {
    /// Per-thread state the records are counted into.
    type Acc: Merge + Send;

    /// What reading a piece of text found.
    type Part: Part;

    /// A fresh accumulator.
    fn new_acc(&self) -> Self::Acc;

    /// A reason to pass over `src` without reading it (e.g. `"digest"`), judged by its path.
    fn ignore(&self, _src: &Source) -> Option<&'static str> {
        None
    }

    /// Keys of a top-level object whose array value holds items the reader reads each on its
    /// own, whatever the rest of the object says (CloudTrail's `Records`): a big document is
    /// cut between them (see [`crate::input::chunk`]).
    fn split_keys(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a file that starts with `head` is lines each read on its own rather than JSON
    /// values (a big one is then cut at any newline).
    fn line_based(&self, _head: &str) -> bool {
        false
    }

    /// Reads one text into `acc`: a whole file, or a piece of one (a complete JSON text either
    /// way). `continued`: the text follows a top-level value of the file, so it is to be read
    /// as the rest of one text after a value is (`input::json::for_each_value_in`).
    /// `file` is the input's name as shown (its path), for rules that look at the path (the
    /// account in an S3 key).
    fn read_text(&self, acc: &mut Self::Acc, file: &str, text: &str, continued: bool)
    -> Self::Part;

    /// Judges a file from what was found in all of it: counts, warnings, status.
    fn finish(&self, part: Self::Part, report: &mut FileReport);

    /// Reads one whole decoded input into `acc`, noting counts and problems in `report`.
    fn read(&self, acc: &mut Self::Acc, text: &str, report: &mut FileReport) {
        let part = self.read_text(acc, &report.name, text, false);
        self.finish(part, report);
    }

    /// Reads a decompressed input in a binary format this reader knows, recognised by `head`
    /// (its first bytes), from `input` (all of it, `head` included), and returns true; returns
    /// false, having read nothing, to have it read as text. Binary inputs are never cut into
    /// text pieces: the reader reads them as a stream, in memory bounded by its own records.
    fn read_binary(
        &self,
        _acc: &mut Self::Acc,
        _head: &[u8],
        _input: &mut dyn std::io::Read,
        _report: &mut FileReport,
    ) -> bool {
        false
    }
}

/// Settings of a pass.
#[derive(Debug, Clone, Copy)]
pub struct PassOptions {
    /// `--max-file-size`: the largest text of one input, if the user set one.
    pub max_bytes: Option<u64>,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// The inputs will be read again in this run (standard input is kept in a temporary file).
    pub again: bool,
    /// Files with more text than this are read in pieces of about this size.
    pub chunk_bytes: usize,
    /// A single value (record) longer than this is skipped.
    pub max_value: usize,
}

/// The size of a piece of a big file: big enough that cutting and handing it on cost nothing
/// next to reading it, small enough that threads × pieces stays small.
pub const CHUNK_BYTES: usize = 8 << 20;

/// The longest single value (a record, or a top-level value that is not cut between elements)
/// read; longer ones are skipped with a warning. Real CloudTrail records are at most a few
/// hundred KB.
pub const MAX_VALUE_BYTES: usize = 256 << 20;

impl Default for PassOptions {
    fn default() -> Self {
        PassOptions {
            max_bytes: None,
            progress: false,
            again: false,
            chunk_bytes: CHUNK_BYTES,
            max_value: MAX_VALUE_BYTES,
        }
    }
}

/// Inputs from which a progress bar is worth drawing.
const PROGRESS_MIN_FILES: usize = 64;

/// Per-thread state: the accumulator and the buffers for whole files.
type PerThread<A> = ThreadLocal<RefCell<(A, Loader)>>;

/// Reads every source with `reader`, in parallel on the current rayon pool. Returns the merged
/// accumulator and one report per source, in the order of `sources`.
pub fn run<R: Reader>(
    reader: &R,
    sources: &[Source],
    opts: PassOptions,
) -> (R::Acc, Vec<FileReport>) {
    // One accumulator (and one set of buffers) per worker thread, not per rayon split: a split
    // per chunk of files would hold as many copies of the aggregate as there are chunks.
    let per_thread: PerThread<R::Acc> = ThreadLocal::new();
    let shared = Shared {
        in_flight: AtomicUsize::new(0),
        limit: rayon::current_num_threads() - 1,
        pool: Pool::default(),
    };
    let bar = progress_bar(sources.len(), opts.progress);
    // One file a split: rayon otherwise hands a thread runs of files to read in turn, and when
    // the other thread runs out of work near the end it has nothing to take from that run
    // (a thread was seen reading alone for the last ~80 ms of a 0.8 s read).
    let reports: Vec<FileReport> = sources
        .par_iter()
        .with_max_len(1)
        .map(|src| {
            let report = read_one(reader, &per_thread, &shared, src, opts);
            bar.inc(1);
            report
        })
        .collect();
    bar.finish_and_clear();
    let acc = merged(reader, per_thread);
    (acc, reports)
}

/// The threads' accumulators of a pass merged into one, [`Merge::finish`]ed (a fresh one when
/// no thread read anything).
fn merged<R: Reader>(reader: &R, per_thread: PerThread<R::Acc>) -> R::Acc {
    let mut accs = per_thread.into_iter().map(|cell| cell.into_inner().0);
    let mut acc = accs.next().unwrap_or_else(|| reader.new_acc());
    for other in accs {
        acc.merge(other);
    }
    acc.finish();
    acc
}

/// What the threads share while reading big files.
struct Shared {
    /// Pieces waiting for another thread to read them, over all files.
    in_flight: AtomicUsize,
    /// At most this many: one for each other thread.
    limit: usize,
    /// Buffers of pieces read, for the next pieces.
    pool: Pool,
}

fn state<'t, R: Reader>(
    reader: &R,
    per_thread: &'t PerThread<R::Acc>,
) -> &'t RefCell<(R::Acc, Loader)> {
    per_thread.get_or(|| RefCell::new((reader.new_acc(), Loader::default())))
}

fn read_one<R: Reader>(
    reader: &R,
    per_thread: &PerThread<R::Acc>,
    shared: &Shared,
    src: &Source,
    opts: PassOptions,
) -> FileReport {
    let mut report = FileReport::new(src.to_string());
    if let Some(why) = reader.ignore(src) {
        report.status = FileStatus::Ignored(why);
        return report;
    }
    read_opened(
        reader,
        per_thread,
        shared,
        opts,
        report,
        |loader, limits| loader.open(src, limits),
    )
}

/// Reads `bytes` as one input with `reader`, as [`run`] reads a file (for tests and fuzzing:
/// with a small `opts.chunk_bytes` every way of cutting is tried).
#[doc(hidden)]
pub fn run_bytes<R: Reader>(reader: &R, bytes: Vec<u8>, opts: PassOptions) -> (R::Acc, FileReport) {
    let per_thread: PerThread<R::Acc> = ThreadLocal::new();
    let shared = Shared {
        in_flight: AtomicUsize::new(0),
        limit: rayon::current_num_threads() - 1,
        pool: Pool::default(),
    };
    let report = read_opened(
        reader,
        &per_thread,
        &shared,
        opts,
        FileReport::new("bytes".into()),
        |loader, limits| loader.open_input(Box::new(std::io::Cursor::new(bytes)), limits),
    );
    let acc = merged(reader, per_thread);
    (acc, report)
}

/// Opens an input with `open` and reads it: whole, or in pieces.
fn read_opened<R: Reader>(
    reader: &R,
    per_thread: &PerThread<R::Acc>,
    shared: &Shared,
    opts: PassOptions,
    mut report: FileReport,
    open: impl FnOnce(&mut Loader, Limits) -> Result<Opened<'_>, decode::LoadError>,
) -> FileReport {
    let limits = Limits {
        whole: opts.chunk_bytes,
        max_bytes: opts.max_bytes,
        again: opts.again,
    };
    // The thread's state is borrowed only while it reads: reading a big file below lends it
    // to the pieces this thread reads itself.
    let stream = {
        let mut st = state(reader, per_thread).borrow_mut();
        let (acc, loader) = &mut *st;
        match open(loader, limits) {
            Err(e) => {
                report.status = FileStatus::Failed(e.to_string());
                return report;
            }
            Ok(Opened::Whole(mut loaded)) => {
                report.warnings.append(&mut loaded.warnings);
                let bytes = loaded.bytes;
                if !reader.read_binary(acc, bytes, &mut &bytes[..], &mut report) {
                    let text = loaded.into_text();
                    report.warnings.extend(text.warnings);
                    reader.read(acc, text.text, &mut report);
                }
                return report;
            }
            Ok(Opened::Stream(mut stream)) => {
                let head = std::mem::take(&mut stream.head);
                let mut input = std::io::Cursor::new(&head[..]).chain(&mut stream.rest);
                if reader.read_binary(acc, &head, &mut input, &mut report) {
                    return report;
                }
                stream.head = head;
                stream
            }
        }
    };
    read_big(reader, per_thread, shared, stream, opts, &mut report);
    report
}

/// What was found in one piece, waiting to be joined in order.
enum Found<P> {
    Text {
        part: P,
        /// Newlines in the piece's own text (for pieces that follow the previous one).
        newlines: u64,
        at: Option<crate::input::chunk::LineCol>,
        wrap: usize,
        value_at: Option<crate::input::chunk::LineCol>,
        first_index: u64,
        lossy: bool,
    },
    Skipped {
        at: crate::input::chunk::LineCol,
        bytes: u64,
    },
}

/// Reads a file too big to read whole: this thread inflates and cuts it, and hands each piece
/// to a free thread, or reads it itself when every thread is busy (so it never waits, and at
/// most `limit` pieces wait over all files).
///
/// The pieces wait in one queue per file, in file order, and whoever reads next takes the
/// oldest: another thread (a job spawned for each piece takes whichever piece is then the
/// oldest, or none), or this one when more are waiting than there are other threads to read
/// them. So pieces are read about in file order, and what each found waits to be joined
/// (in file order) only while an older piece is being read. Until 2026-12-02 each piece was
/// handed to a job of its own: on one thread the first piece's job could run only once the
/// whole file was cut, and what every later piece found waited for it, growing with the file
/// (a 307 MB file with a damaged record in two kept 50 MB of them).
fn read_big<R: Reader>(
    reader: &R,
    per_thread: &PerThread<R::Acc>,
    shared: &Shared,
    stream: decode::Stream,
    opts: PassOptions,
    report: &mut FileReport,
) {
    let head = &stream.head[..stream.head.len().min(4096)];
    let cut = CutOptions {
        chunk_bytes: opts.chunk_bytes,
        max_value: opts.max_value,
        split_keys: reader.split_keys(),
        any_line: reader.line_based(&String::from_utf8_lossy(head)),
    };
    let compression = stream.compression;
    let utf16 = stream.utf16.clone();
    let file = report.name.clone();
    let mut cutter = Cutter::new(stream.head, stream.rest, cut, shared.pool.clone());
    let joiner: Mutex<Joiner<R::Part>> = Mutex::new(Joiner::new(opts.max_value));
    let read_piece = |i: usize, text: crate::input::chunk::Text| {
        let mut st = state(reader, per_thread).borrow_mut();
        let (acc, loader) = &mut *st;
        let bytes = text.bytes();
        let (s, lossy) = decode::text_of(bytes, loader.lossy_buffer());
        let mut part = reader.read_text(acc, &file, s, i > 0);
        bound_damage(&mut part);
        let newlines = if text.at.is_none() {
            memchr::memchr_iter(b'\n', bytes).count() as u64
        } else {
            0
        };
        let entry = Found::Text {
            part,
            newlines,
            at: text.at,
            wrap: text.wrap,
            value_at: text.value_at,
            first_index: text.first_index,
            lossy,
        };
        drop(st);
        lock(&joiner).push(i, entry);
        lock(&shared.pool).push(text.buf);
    };
    // The pieces cut and not read yet, oldest first.
    let waiting: Mutex<VecDeque<(usize, crate::input::chunk::Text)>> = Mutex::default();
    // Reads the oldest waiting piece, if any; false when none waits.
    let read_oldest = || {
        let Some((i, text)) = lock(&waiting).pop_front() else {
            return false;
        };
        shared.in_flight.fetch_sub(1, Ordering::AcqRel);
        read_piece(i, text);
        true
    };
    rayon::scope(|scope| {
        let mut i = 0;
        while let Some(piece) = cutter.next() {
            match piece {
                Piece::Skipped { at, bytes } => lock(&joiner).push(i, Found::Skipped { at, bytes }),
                Piece::Text(text) => {
                    lock(&waiting).push_back((i, text));
                    shared.in_flight.fetch_add(1, Ordering::AcqRel);
                    let read_oldest = &read_oldest;
                    scope.spawn(move |_| {
                        read_oldest();
                    });
                    while shared.in_flight.load(Ordering::Acquire) > shared.limit && read_oldest() {
                    }
                }
            }
            i += 1;
        }
        if let Some((e, n)) = cutter.take_error() {
            let message = if e.get_ref().is_some_and(|inner| inner.is::<CapReached>()) {
                report.skipped_records += 1;
                e.to_string()
            } else if let Some(name) = compression {
                decode::truncated(name, &e, n)
            } else {
                format!(
                    "reading stopped after {n} bytes: {}",
                    crate::diag::io_reason(&e)
                )
            };
            report.warnings.push(message);
        }
        // The pieces' buffers go back to the pool as they are read; the cutter's own goes now.
        drop(cutter);
    });
    let joiner = joiner.into_inner().unwrap_or_else(|e| e.into_inner());
    debug_assert!(joiner.waiting.is_empty());
    if joiner.lossy {
        let invalid = utf16.as_ref().map(crate::input::utf16::Tally::get);
        report.warnings.push(decode::invalid_text(invalid));
    }
    let skipped_before = report.skipped_records;
    reader.finish(joiner.whole, report);
    report.skipped_records += skipped_before;
}

/// Joins what was found in the pieces of a file, in file order as they come in (pieces read
/// out of order wait), moving damage to the file's lines and columns.
struct Joiner<P> {
    whole: P,
    next: usize,
    waiting: std::collections::BTreeMap<usize, Found<P>>,
    lossy: bool,
    /// The line the next piece that follows directly starts on, and the line the byte-by-byte
    /// cutting started on (pieces that say where they are count from it).
    line: u64,
    origin: Option<u64>,
    max_value: usize,
}

impl<P: Part> Joiner<P> {
    fn new(max_value: usize) -> Self {
        Joiner {
            whole: P::default(),
            next: 0,
            waiting: Default::default(),
            lossy: false,
            line: 1,
            origin: None,
            max_value,
        }
    }

    fn push(&mut self, i: usize, found: Found<P>) {
        self.waiting.insert(i, found);
        while let Some(found) = self.waiting.remove(&self.next) {
            self.next += 1;
            self.join(found);
        }
    }

    fn join(&mut self, found: Found<P>) {
        match found {
            Found::Text {
                mut part,
                newlines,
                at,
                wrap,
                value_at,
                first_index,
                lossy,
            } => {
                self.lossy |= lossy;
                // Pieces cut byte by byte say where they are, counted from the line where that
                // cutting started: the line the pieces before it (which follow each other
                // directly) reached.
                let origin = match at {
                    Some(_) => *self.origin.get_or_insert(self.line),
                    None => self.line,
                };
                let (first_line, first_col) = match at {
                    None => (self.line, 1),
                    Some(at) => (origin + at.line - 1, at.column),
                };
                let value = value_at.map(|v| (origin + v.line - 1, v.column));
                part.positions(&mut |line, column, index| {
                    // Every index in elements wrapped as a document is one in the array
                    // they are in; `first_index` is 0 for other pieces.
                    if let Some(i) = index {
                        *i += first_index;
                    }
                    if *line == 1 {
                        if let (Some((l, c)), 1) = (value, *column) {
                            // The start of the added opening: the place of the value whose
                            // array the elements are in.
                            (*line, *column) = (l as usize, c as usize);
                            return;
                        }
                        // The added opening's last byte (`[`) stands where the file has the
                        // separator before the first element, one column before it.
                        *column = (first_col as usize + *column)
                            .saturating_sub(wrap + 1)
                            .max(1);
                    }
                    *line += first_line as usize - 1;
                });
                self.line = first_line + newlines;
                self.whole.join(part);
            }
            Found::Skipped { at, bytes } => {
                let mut part = P::default();
                part.damage_mut().push(Damage {
                    line: (*self.origin.get_or_insert(self.line) + at.line - 1) as usize,
                    column: at.column as usize,
                    message: format!(
                        "a single value of more than {} bytes ({bytes} seen); skipped",
                        self.max_value
                    ),
                    truncated: false,
                    index: None,
                });
                self.whole.join(part);
            }
        }
        bound_damage(&mut self.whole);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn progress_bar(len: usize, wanted: bool) -> ProgressBar {
    if !wanted || len < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} files [{bar:30}] {elapsed} (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that notes, in its accumulator, the first line of each text it reads.
    struct Order;

    #[derive(Default)]
    struct Firsts(Vec<String>);

    impl Merge for Firsts {
        fn merge(&mut self, other: Self) {
            self.0.extend(other.0);
        }
    }

    #[derive(Default)]
    struct NoPart(Vec<Damage>);

    impl Part for NoPart {
        fn join(&mut self, _next: Self) {}
        fn damage_mut(&mut self) -> &mut Vec<Damage> {
            &mut self.0
        }
        fn positions(&mut self, _each: &mut dyn FnMut(&mut usize, &mut usize, Option<&mut u64>)) {}
        fn add_unshown_damage(&mut self, _n: u64) {}
    }

    impl Reader for Order {
        type Acc = Firsts;
        type Part = NoPart;
        fn new_acc(&self) -> Firsts {
            Firsts::default()
        }
        fn read_text(&self, acc: &mut Firsts, _file: &str, text: &str, _continued: bool) -> NoPart {
            acc.0
                .push(text.lines().next().unwrap_or_default().to_string());
            NoPart::default()
        }
        fn finish(&self, _part: NoPart, _report: &mut FileReport) {}
    }

    /// On one thread a big file's pieces are read in file order, each as soon as it is cut
    /// (until 2026-12-02 the first piece was handed to a job that could run only once the
    /// whole file was cut, and what the later pieces found waited for it).
    #[test]
    fn one_thread_reads_the_pieces_in_file_order() {
        let lines: Vec<String> = (0..2000).map(|i| format!(r#"{{"n":{i:05}}}"#)).collect();
        let text = lines.join("\n") + "\n";
        let opts = PassOptions {
            chunk_bytes: 1000,
            ..PassOptions::default()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (acc, report) = pool.install(|| run_bytes(&Order, text.into_bytes(), opts));
        assert_eq!(report.status, FileStatus::Read, "{report:?}");
        let firsts = acc.0;
        // 2,000 lines of 12 bytes in pieces of at least 1,000 bytes: 24 pieces or so.
        assert!(firsts.len() > 10, "{} pieces", firsts.len());
        let mut sorted = firsts.clone();
        sorted.sort();
        assert_eq!(firsts, sorted);
        assert_eq!(firsts[0], lines[0]);
    }
}
