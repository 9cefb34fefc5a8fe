//! Cutting a big input into chunks that the format readers read one at a time, in parallel.
//!
//! This is the interface between the stream of decoded text and the format readers
//! (`cloudtrail::parse`, `metrics::parse`): a [`Cutter`] turns the text into [`Piece`]s, and each
//! piece is a complete JSON text that a reader reads exactly as it reads a whole file. Reading
//! the pieces one after another finds what reading the whole text finds, and nothing twice:
//!
//! - Between top-level values (JSON lines, objects concatenated with or without separators), a
//!   piece holds whole values. Where values are one per line, the cut is found without looking
//!   at the text in between: a newline whose line starts with `{` or `[` and whose previous
//!   non-blank byte is `}` or `]` can only sit between top-level values in valid JSON (strings
//!   cannot hold a raw newline, and inside a container a closing bracket is followed by `,` or
//!   another closing bracket). That is the fast mode, for JSON lines.
//! - Where no such newline is found, the text is followed byte by byte (strings, escapes,
//!   depth), and values are cut where they end. A value too big for one piece is cut between
//!   the elements of its array: a top-level array, or the array value of a top-level object
//!   member whose key the reader names ([`CutOptions::split_keys`], e.g. `Records`: the
//!   reader promises that such elements are read independently of the rest of the object).
//!   Each run of elements is wrapped as a document of its own (`[e1,e2]`, or
//!   `{"Records":[e1,e2]}`), and the rest of the object, with the array emptied
//!   (`{"Records":[],...}`), follows as a last piece. So the reader needs no notion of chunks.
//! - A value (or array element) longer than [`CutOptions::max_value`] is skipped, as one damaged
//!   place, so memory stays bounded whatever the input.
//! - Elements of an array are cut apart only at a comma that an object with a key follows
//!   (`,{"key":`, blanks allowed): in valid JSON that comma is between elements whatever the
//!   scan's state, so text a break has put out of step with its quotes is never cut inside.
//! - Where the text is broken so that it cannot be followed inside an array being cut (a raw
//!   newline in a string, a byte outside strings that no number or literal has: a quote cut or
//!   added), cutting resumes at the next element as the readers find it
//!   (`input::json::resync`, each candidate checked the same way), and the broken
//!   element goes out with the ones after it, so that the reader reads on from the same place
//!   as when it reads the whole text. Elsewhere (a closing bracket too many, garbage between
//!   values, or no element after the break), the piece ends with the broken line, so the
//!   reader reports the damage, and cutting resumes at the next line that starts with `{`, as
//!   the readers' own recovery does.
//!
//! Cuts fall only on ASCII bytes, so pieces of valid UTF-8 are valid UTF-8, and invalid bytes
//! are replaced the same way in pieces as in the whole. Positions: a piece says where its first
//! byte sits in the file (or that it follows the previous piece directly), so damage is
//! reported at file lines and columns.

use std::collections::VecDeque;
use std::io::{self, Read};

/// How to cut.
#[derive(Debug, Clone, Copy)]
pub struct CutOptions {
    /// The size pieces are cut at (a piece is at least this big, but for the last one, unless
    /// a value boundary comes later than `max_value`).
    pub chunk_bytes: usize,
    /// The largest value (or array element) kept; longer ones are skipped.
    pub max_value: usize,
    /// Keys of a top-level object whose array value may be cut between elements.
    pub split_keys: &'static [&'static str],
    /// The text is lines, each read on its own (not JSON values): cut at any newline.
    pub any_line: bool,
}

/// A 1-based line and column (in bytes) of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineCol {
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

/// One piece of the file for a reader.
#[derive(Debug)]
pub enum Piece {
    /// A complete JSON text.
    Text(Text),
    /// A value longer than [`CutOptions::max_value`], skipped.
    Skipped {
        /// Where it starts.
        at: LineCol,
        /// How much of it was seen (the whole value, unless the file ended first).
        bytes: u64,
    },
}

/// The text of a piece: `buf[range]`, whose first `wrap` bytes are added (the opening of a
/// document around array elements), the rest the file's own bytes.
#[derive(Debug)]
pub struct Text {
    /// The bytes (the buffer may be larger than the text).
    pub buf: Vec<u8>,
    /// Where the text is in `buf`.
    pub range: std::ops::Range<usize>,
    /// Bytes added before the file's own.
    pub wrap: usize,
    /// Where the file's own first byte sits; `None`: right after the previous piece's text,
    /// at the start of a line (so its lines continue the previous piece's).
    pub at: Option<LineCol>,
    /// For elements wrapped as a document: where the top-level value they are in starts (the
    /// added opening stands for it), and the index of the first in its array.
    pub value_at: Option<LineCol>,
    /// See `value_at`.
    pub first_index: u64,
}

impl Text {
    /// The text.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.range.clone()]
    }
}

/// A reused buffer pool, so pieces do not cost fresh pages.
pub type Pool = std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

/// Reads are this big.
const READ_BYTES: usize = 1 << 20;

/// Cuts a stream of decoded text into pieces (see the module documentation).
pub struct Cutter<R> {
    src: R,
    opts: CutOptions,
    pool: Pool,
    /// Bytes read and not yet given out: `buf[0]` is the stream's byte at offset `base`.
    buf: Vec<u8>,
    base: u64,
    eof: bool,
    /// Nothing more to give out.
    done: bool,
    /// The read error that ended the stream early, if any.
    error: Option<io::Error>,
    /// Bytes read in all.
    total: u64,
    ready: VecDeque<Piece>,
    /// Still in the fast mode (cuts at newlines).
    lines: bool,
    /// Anything given out yet.
    started: bool,
    st: Structure,
}

/// The state of the byte-by-byte mode. Offsets are of the stream; lines count from where the
/// mode started (a line start), so [`Text::at`] is relative to that line.
#[derive(Default)]
struct Structure {
    /// Next offset to look at.
    pos: u64,
    depth: u64,
    in_str: bool,
    esc: bool,
    /// Line of `pos` and the offset its line starts at.
    line: u64,
    line_start: u64,
    /// Where the current run of whole values starts (with `depth > 0` and no split under
    /// way, the run ends with the current value). `u64::MAX`: none (while resyncing).
    run: u64,
    run_at: LineCol,
    /// The current top-level value (when `depth > 0`).
    value: u64,
    value_at: LineCol,
    object: bool,
    expect_key: bool,
    /// The key being read, or read, at depth 1 of an object.
    key: Option<(u64, u64)>,
    /// A key was read and its `:` passed: its value comes next.
    member: Option<(u64, u64)>,
    split: Option<Split>,
    /// The shell of an object given out in pieces: its text so far with the split arrays
    /// emptied, and the offset of its next byte not copied yet (`None` inside a split array).
    shell: Option<(Vec<u8>, Option<u64>)>,
    skip: Option<Skip>,
    /// After broken text: passing over bytes up to the next line that starts with `{`.
    resync: bool,
    /// Broken text inside an array being split: looking for the next element that starts
    /// (see [`Cutter::find_element`]).
    element_resync: Option<ElementResync>,
    /// Broken text between top-level values: looking for the next value that starts, as the
    /// readers do (see [`Cutter::find_top`]; its `seen` is not used).
    top_resync: Option<ElementResync>,
}

/// A break inside a split array, and how far the search for the next element has come.
struct ElementResync {
    /// Where the break is.
    at: u64,
    /// Where the search goes on.
    search: u64,
    /// Commas between the array's elements counted up to the break: the broken element's index.
    seen: u64,
    /// The search reached the end of what is read.
    waiting: bool,
}

impl ElementResync {
    /// The search waits for more text: it goes on from `from` (the candidate the text ended
    /// in), or else a little before `end`, the end of what is read. False: scanning waits here.
    fn wait(&mut self, from: Option<u64>, end: u64) -> bool {
        self.search =
            from.unwrap_or_else(|| end.saturating_sub(RESYNC_LOOKBACK as u64).max(self.search));
        self.waiting = true;
        false
    }
}

/// Bytes looked at again after the end of what is read, so that an element start cut by the
/// end of a read is found whole after the next one.
const RESYNC_LOOKBACK: usize = 256;

/// An array whose elements may go out in pieces.
struct Split {
    key: Option<Vec<u8>>,
    /// The depth inside the array (where its elements' commas are).
    depth: u64,
    /// Start of the elements not given out yet, and where it sits.
    elems: u64,
    elems_at: LineCol,
    /// The comma after the last whole element, if one came since `elems`.
    boundary: Option<u64>,
    /// Pieces of this array have been given out.
    started: bool,
    /// Commas between its elements seen, and the index of the first element not given out.
    seen: u64,
    given: u64,
}

/// An oversized value (or element of a split array) being passed over.
struct Skip {
    /// An element (ends at a comma at the split's depth, or the array's end), or a
    /// top-level value (ends at depth 0).
    element: bool,
    at: LineCol,
    from: u64,
}

impl<R: Read> Cutter<R> {
    /// A cutter over `src`, which continues `head` (text already read from the start of the
    /// input).
    pub fn new(head: Vec<u8>, src: R, opts: CutOptions, pool: Pool) -> Self {
        let total = head.len() as u64;
        Cutter {
            src,
            opts: CutOptions {
                chunk_bytes: opts.chunk_bytes.max(1),
                max_value: opts.max_value.max(opts.chunk_bytes).max(1),
                ..opts
            },
            pool,
            buf: head,
            base: 0,
            eof: false,
            done: false,
            error: None,
            total,
            ready: VecDeque::new(),
            lines: true,
            started: false,
            st: Structure::default(),
        }
    }

    /// The read error that ended the input early, with the count of bytes read before it.
    pub fn take_error(&mut self) -> Option<(io::Error, u64)> {
        self.error.take().map(|e| (e, self.total))
    }

    /// Bytes of text read so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The next piece, `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Piece> {
        loop {
            if let Some(p) = self.ready.pop_front() {
                self.started = true;
                return Some(p);
            }
            if self.done {
                if self.started {
                    return None;
                }
                // A file that gave no piece gives one empty text: the reader says it is empty.
                self.started = true;
                return Some(Piece::Text(Text {
                    buf: Vec::new(),
                    range: 0..0,
                    wrap: 0,
                    at: None,
                    value_at: None,
                    first_index: 0,
                }));
            }
            if self.lines {
                self.step_lines();
            } else {
                self.step_structure();
            }
        }
    }

    /// Reads more; false at the end of the input.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let len = self.buf.len();
        // Never much more than a chunk at a time, so pieces of the fast mode stay within a
        // few chunks (and under the cap on values). `read_to_end` reads into the spare capacity,
        // zeroing it once as it goes, where a `resize` zeroed a whole megabyte before every
        // `read`, of which a decoder fills only part.
        let want = READ_BYTES.min(self.opts.chunk_bytes);
        let read = (&mut self.src).take(want as u64).read_to_end(&mut self.buf);
        let got = self.buf.len() - len;
        self.total += got as u64;
        // Less than asked for is the end of the input (`read_to_end` reads on until it).
        if let Err(e) = read {
            self.error = Some(e);
            self.eof = true;
        } else if got < want {
            self.eof = true;
        }
        got > 0
    }

    /// An empty buffer from the pool.
    fn fresh(&self, capacity: usize) -> Vec<u8> {
        let mut v = self
            .pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default();
        v.clear();
        v.reserve(capacity);
        v
    }

    fn push(&mut self, buf: Vec<u8>, wrap: usize, at: Option<LineCol>) {
        self.ready.push_back(Piece::Text(Text {
            range: 0..buf.len(),
            buf,
            wrap,
            at,
            value_at: None,
            first_index: 0,
        }));
    }

    /// The fast mode: fill to a chunk, give out everything up to the last line cut.
    fn step_lines(&mut self) {
        // At least the byte order mark and the first byte after it, to judge the start.
        while self.buf.len() < self.opts.chunk_bytes.max(4) && self.fill() {}
        if self.opts.any_line {
            self.step_any_line();
            return;
        }
        if !self.started && self.base == 0 && !starts_like_json(&self.buf) {
            // Not JSON: the reader says so from the first piece, and nothing after it is read
            // (as when the whole file is read).
            self.buf.truncate(self.opts.chunk_bytes);
            let buf = std::mem::take(&mut self.buf);
            self.push(buf, 0, None);
            self.done = true;
            return;
        }
        loop {
            if self.eof {
                let buf = std::mem::take(&mut self.buf);
                if !buf.is_empty() {
                    self.push(buf, 0, None);
                }
                self.done = true;
                return;
            }
            if let Some(cut) = last_line_cut(&self.buf) {
                let mut tail = self.fresh(self.opts.chunk_bytes + READ_BYTES);
                tail.extend_from_slice(&self.buf[cut..]);
                let mut buf = std::mem::replace(&mut self.buf, tail);
                buf.truncate(cut);
                self.base += cut as u64;
                self.push(buf, 0, None);
                return;
            }
            // A line longer than a chunk: look a little further before giving up on lines.
            if self.buf.len() >= 4 * self.opts.chunk_bytes {
                break;
            }
            let target = self.buf.len() * 2;
            while self.buf.len() < target && self.fill() {}
        }
        // Values are not one per line here: follow the text byte by byte from this boundary.
        self.lines = false;
        self.st = Structure {
            pos: self.base,
            line: 1,
            line_start: self.base,
            run: self.base,
            run_at: LineCol { line: 1, column: 1 },
            ..Structure::default()
        };
    }

    /// Lines read each on their own: cut after the last newline; a line longer than the cap
    /// goes out as it is (the reader says it is broken), so memory stays bounded.
    fn step_any_line(&mut self) {
        loop {
            let cut = match memchr::memrchr(b'\n', &self.buf) {
                _ if self.eof => self.buf.len(),
                Some(nl) => nl + 1,
                None if self.buf.len() >= self.opts.max_value => self.buf.len(),
                None => {
                    let target = self.buf.len() * 2;
                    while self.buf.len() < target && self.fill() {}
                    continue;
                }
            };
            let mut tail = self.fresh(self.opts.chunk_bytes + READ_BYTES);
            tail.extend_from_slice(&self.buf[cut..]);
            let mut buf = std::mem::replace(&mut self.buf, tail);
            buf.truncate(cut);
            self.base += cut as u64;
            if !buf.is_empty() {
                self.push(buf, 0, None);
            }
            if self.eof && self.buf.is_empty() {
                self.done = true;
            }
            return;
        }
    }

    /// The byte-by-byte mode: scan what is read, fill when it is used up.
    fn step_structure(&mut self) {
        let end = self.base + self.buf.len() as u64;
        let waiting = [&mut self.st.element_resync, &mut self.st.top_resync]
            .into_iter()
            .any(|r| r.as_mut().is_some_and(|r| std::mem::take(&mut r.waiting)));
        if (self.st.pos >= end || waiting) && !self.fill() {
            self.finish();
            return;
        }
        self.scan();
        self.check_sizes();
        self.compact();
    }

    fn at(&self, pos: u64) -> LineCol {
        // Only asked for offsets on the line being scanned.
        LineCol {
            line: self.st.line,
            column: pos.saturating_sub(self.st.line_start) + 1,
        }
    }

    fn slice(&self, from: u64, to: u64) -> &[u8] {
        &self.buf[(from - self.base) as usize..(to - self.base) as usize]
    }

    fn push_text(&mut self, from: u64, to: u64, at: LineCol) {
        // Never before what is still held: a run that began before the buffer's start is a
        // bug (debug builds and the fuzz targets stop on it); a release build reads what is left.
        debug_assert!(
            from >= self.base || to <= from,
            "text {from}..{to} before {}",
            self.base
        );
        let from = from.max(self.base);
        if to <= from {
            return;
        }
        let mut buf = self.fresh((to - from) as usize);
        buf.extend_from_slice(self.slice(from, to));
        self.push(buf, 0, Some(at));
    }

    /// Elements `from..to` as a document of their own (`close`: with its closing brackets;
    /// without them when the input ended inside the array, so the reader sees the truncation).
    #[allow(clippy::too_many_arguments)]
    fn push_elements(
        &mut self,
        key: Option<&[u8]>,
        from: u64,
        to: u64,
        at: LineCol,
        close: bool,
        first_index: u64,
    ) {
        if close && self.slice(from, to).iter().all(|&b| is_ws(b)) {
            return;
        }
        let mut buf = self.fresh((to - from) as usize + 64);
        match key {
            None => buf.push(b'['),
            Some(k) => {
                buf.extend_from_slice(b"{\"");
                buf.extend_from_slice(k);
                buf.extend_from_slice(b"\":[");
            }
        }
        let wrap = buf.len();
        buf.extend_from_slice(self.slice(from, to));
        if close {
            buf.push(b']');
            if key.is_some() {
                buf.push(b'}');
            }
        }
        self.ready.push_back(Piece::Text(Text {
            range: 0..buf.len(),
            buf,
            wrap,
            at: Some(at),
            value_at: Some(self.st.value_at),
            first_index,
        }));
    }

    /// The input ended: give out what is left.
    fn finish(&mut self) {
        if self.st.top_resync.is_some() {
            // The input ended while looking for the next value: look again, knowing it did.
            self.scan();
        }
        if let Some(r) = self.st.element_resync.take() {
            if self.st.split.as_ref().is_some_and(|s| s.started) {
                // No element after the break in an array given out in pieces: the elements
                // from the last cut go out as they are, to the end, as when the array never
                // closed (the reader reads the break, then finds nothing after it, as when
                // it reads the whole text).
            } else {
                // No element after the break: as a break outside an array, and the rest is
                // scanned from right after it.
                self.broken_here(r.at);
                self.scan();
            }
        }
        let end = self.base + self.buf.len() as u64;
        if let Some(skip) = self.st.skip.take() {
            self.ready.push_back(Piece::Skipped {
                at: skip.at,
                bytes: end - skip.from,
            });
        } else if self.st.resync {
            // The broken line, if the input ended on it.
            let (run, at) = (self.st.run, self.st.run_at);
            if run != u64::MAX {
                self.push_text(run, end, at);
            }
        } else if let Some(split) = self.st.split.take().filter(|s| s.started) {
            // The array never closed: its last elements, as truncated as they are.
            let (elems, at) = (split.elems, split.elems_at);
            self.push_elements(split.key.as_deref(), elems, end, at, false, split.given);
        } else if let Some((mut shell, from)) = self.st.shell.take() {
            shell.extend_from_slice(self.slice(from.unwrap_or(end), end));
            let at = self.st.value_at;
            self.push(shell, 0, Some(at));
        } else {
            let (run, at) = (self.st.run, self.st.run_at);
            self.push_text(run, end, at);
        }
        self.buf.clear();
        self.base = end;
        self.done = true;
    }

    /// Drops bytes no longer needed from the front of the buffer.
    fn compact(&mut self) {
        let st = &self.st;
        let mut keep = st.pos;
        if let Some(r) = &st.element_resync {
            // Not the line's start: nothing reads the text before the search from there
            // (columns are counted from its offset, which stays), and on one line (S3's
            // `{"Records":[...]}`) it is the file's first byte: with breaks close together one
            // was nearly always waiting here, and the whole file stayed in the buffer (a 307 MB
            // line with a damaged record in two: 383 MB resident, until 2026-12-02).
            keep = keep.min(r.at).min(r.search);
        }
        if let Some(r) = &st.top_resync {
            keep = keep.min(r.at).min(r.search);
        }
        if st.resync {
            // The broken run goes out whole; once it has, the line being passed over is
            // looked at from its start (the line start is not kept before that: on one line,
            // it is the file's first byte).
            keep = keep.min(if st.run == u64::MAX {
                st.line_start
            } else {
                st.run
            });
        } else if st.skip.is_none() {
            match &st.split {
                Some(s) if s.started => keep = keep.min(s.elems),
                _ if st.shell.is_none() => keep = keep.min(st.run),
                _ => {}
            }
        }
        if let Some((_, Some(from))) = &st.shell {
            keep = keep.min(*from);
        }
        let drop = (keep.saturating_sub(self.base) as usize).min(self.buf.len());
        if drop > 0 && drop >= self.buf.len() / 2 {
            self.buf.drain(..drop);
            self.base += drop as u64;
        }
    }

    /// Starts skipping what has grown past the cap.
    fn check_sizes(&mut self) {
        let max = self.opts.max_value as u64;
        let pos = self.st.pos;
        if self.st.depth == 0 || self.st.skip.is_some() || self.st.resync {
            return;
        }
        if let Some(split) = &self.st.split {
            if pos - split.elems <= max {
                return;
            }
            // One element too big: the elements before go out, this one is passed over.
            if let Some(b) = split.boundary {
                self.cut_elements(b);
            }
            self.start_split();
            let Some(split) = &self.st.split else { return };
            if pos - split.elems > max {
                self.st.skip = Some(Skip {
                    element: true,
                    at: split.elems_at,
                    from: split.elems,
                });
            }
            return;
        }
        let from = match &self.st.shell {
            Some((_, Some(from))) => *from,
            Some((_, None)) => return,
            None => self.st.value,
        };
        if pos - from > max {
            // A value too big, and no array of it to cut: the whole values before it go out,
            // it is passed over (with the rest of its object, if it was being cut).
            let (run, value, at) = (self.st.run, self.st.value, self.st.run_at);
            if self.st.shell.take().is_none() {
                self.push_text(run, value, at);
            }
            self.st.skip = Some(Skip {
                element: false,
                at: self.st.value_at,
                from: self.st.value,
            });
        }
    }

    /// Scans the bytes read, cutting where it can.
    fn scan(&mut self) {
        let end = self.base + self.buf.len() as u64;
        while self.st.pos < end {
            if self.st.element_resync.is_some() {
                if !self.find_element() {
                    // More text is needed to find it.
                    return;
                }
                if self.st.pos >= end {
                    // Nothing after the break: the rest goes out as it is.
                    break;
                }
            }
            if self.st.top_resync.is_some() {
                if !self.find_top() {
                    return;
                }
                if self.st.pos >= end {
                    break;
                }
            }
            let p = self.st.pos;
            let i = (p - self.base) as usize;
            if self.st.in_str {
                if self.st.esc {
                    // The byte after a backslash.
                    self.st.esc = false;
                    self.st.pos = p + 1;
                    if self.buf[i] == b'\n' {
                        self.newline(p);
                        self.broken(p);
                    }
                    continue;
                }
                // Straight to the next byte that matters in a string.
                let Some(n) = memchr::memchr3(b'"', b'\\', b'\n', &self.buf[i..]) else {
                    self.st.pos = end;
                    continue;
                };
                let q = p + n as u64;
                self.st.pos = q + 1;
                match self.buf[i + n] {
                    b'\\' => self.st.esc = true,
                    b'"' => {
                        self.st.in_str = false;
                        if let Some((k, _)) = self.st.key
                            && self.st.depth == 1
                        {
                            self.st.key = Some((k, q));
                        }
                    }
                    _ => {
                        // A raw newline in a string: broken.
                        self.newline(q);
                        self.broken(q);
                    }
                }
                continue;
            }
            let b = self.buf[i];
            self.st.pos = p + 1;
            if b == b'\n' {
                self.newline(p);
            }
            if self.st.resync {
                self.resync_byte(p, b);
                continue;
            }
            if is_ws(b) || (b == b',' && self.st.depth == 0) {
                if self.st.depth == 0 && self.st.run == p {
                    // Blanks and commas between values belong to no piece.
                    self.st.run = p + 1;
                    self.st.run_at = self.at(p + 1);
                }
                continue;
            }
            if self.st.depth == 1 && self.st.object {
                let member = self.st.member.take();
                if b == b'['
                    && let Some((a, z)) = member
                    && self.splits(a, z)
                {
                    self.open_split(p, Some((a, z)));
                }
            }
            match b {
                b'"' => {
                    self.st.in_str = true;
                    if self.st.depth == 1 && self.st.object && self.st.expect_key {
                        self.st.key = Some((p + 1, p + 1));
                        self.st.expect_key = false;
                    }
                }
                b':' => {
                    if self.st.depth == 1 && self.st.object {
                        self.st.member = self.st.key.take();
                    }
                }
                b'{' | b'[' => {
                    if self.st.depth == 0 {
                        self.st.value = p;
                        self.st.value_at = self.at(p);
                        self.st.object = b == b'{';
                        self.st.expect_key = self.st.object;
                        self.st.key = None;
                        self.st.member = None;
                        if b == b'[' {
                            self.open_split(p, None);
                        }
                    }
                    self.st.depth += 1;
                }
                b'}' | b']' => {
                    if self.st.depth == 0 {
                        self.broken(p);
                        continue;
                    }
                    self.st.depth -= 1;
                    self.closed(p);
                }
                b',' => {
                    if self.st.depth == 1 && self.st.object {
                        self.st.expect_key = true;
                    }
                    self.comma(p);
                }
                _ => {
                    if self.st.depth == 0 {
                        // Garbage between values.
                        self.broken(p);
                    } else if !is_scalar_byte(b) {
                        // Outside strings a value holds numbers and `true`, `false`, `null`
                        // only: anything else is text out of step with its quotes (a quote cut
                        // or added), where nothing can be cut.
                        self.broken(p);
                    }
                }
            }
        }
    }

    /// Where `pos`, still in the buffer and not after the line being scanned, sits, given
    /// where `anchor` (at or before it, in the buffer) sits.
    fn at_past(&self, pos: u64, anchor: u64, anchor_at: LineCol) -> LineCol {
        let text = self.slice(anchor, pos);
        match memchr::memrchr(b'\n', text) {
            None => LineCol {
                line: anchor_at.line,
                column: anchor_at.column + (pos - anchor),
            },
            Some(i) => LineCol {
                line: anchor_at.line + memchr::memchr_iter(b'\n', text).count() as u64,
                column: (text.len() - i) as u64,
            },
        }
    }

    fn newline(&mut self, p: u64) {
        self.st.line += 1;
        self.st.line_start = p + 1;
    }

    fn splits(&self, from: u64, to: u64) -> bool {
        let key = self.slice(from, to);
        self.opts.split_keys.iter().any(|k| k.as_bytes() == key)
    }

    /// An array that may be split opens at `p` (with its key, for a member of a top object).
    fn open_split(&mut self, p: u64, member: Option<(u64, u64)>) {
        if self.st.split.is_some() || self.st.skip.is_some() {
            return;
        }
        let key = member.map(|(a, z)| self.slice(a, z).to_vec());
        let depth = if key.is_some() { 2 } else { 1 };
        let elems_at = self.at(p + 1);
        // In an object already given out in pieces, every such array is.
        let started = match self.st.shell.take() {
            Some((mut shell, from)) => {
                shell.extend_from_slice(self.slice(from.unwrap_or(p), p + 1));
                self.st.shell = Some((shell, None));
                true
            }
            None => false,
        };
        self.st.split = Some(Split {
            key,
            depth,
            elems: p + 1,
            elems_at,
            boundary: None,
            started,
            seen: 0,
            given: 0,
        });
    }

    /// The current value will go out in pieces: the whole values before it go out now, and
    /// an object's own text up to the array starts its shell.
    fn start_split(&mut self) {
        let Some(split) = &mut self.st.split else {
            return;
        };
        if split.started {
            return;
        }
        split.started = true;
        let (elems, keyed) = (split.elems, split.key.is_some());
        let (run, value, run_at) = (self.st.run, self.st.value, self.st.run_at);
        self.push_text(run, value, run_at);
        if keyed {
            let start = self.slice(value, elems).to_vec();
            self.st.shell = Some((start, None));
        }
    }

    /// A comma outside strings at `p`.
    fn comma(&mut self, p: u64) {
        let depth = self.st.depth;
        let at_next = self.at(p + 1);
        let chunk = self.opts.chunk_bytes as u64;
        let Some(split) = &mut self.st.split else {
            return;
        };
        if depth != split.depth {
            return;
        }
        split.seen += 1;
        if let Some(skip) = &self.st.skip {
            if skip.element {
                self.ready.push_back(Piece::Skipped {
                    at: skip.at,
                    bytes: p - skip.from,
                });
                self.st.skip = None;
                split.elems = p + 1;
                split.elems_at = at_next;
                split.boundary = None;
                split.given = split.seen;
            }
            return;
        }
        // Only where an object follows: a comma that is not between elements (in text that a
        // break has put out of step, e.g. a string's quote cut) is never cut at.
        if !self.object_follows(p) {
            return;
        }
        let Some(split) = &mut self.st.split else {
            return;
        };
        split.boundary = Some(p);
        let from = if split.started {
            split.elems
        } else {
            self.st.value
        };
        if p - from >= chunk {
            self.cut_elements(p);
        }
    }

    /// Whether an object with a key (`{"key":`, blanks allowed) follows the comma at `p`:
    /// then the comma is between elements, whatever the scan's state (see
    /// [`crate::input::json::resync`]). Reads on as far as needed to tell.
    fn object_follows(&mut self, p: u64) -> bool {
        loop {
            let i = (p + 1 - self.base) as usize;
            let j = crate::input::json::skip_ws(&self.buf, i);
            if crate::input::json::object_with_key(&self.buf, j, None) {
                return true;
            }
            // Not all of it read yet: read more, unless it is no object or too far to tell.
            let partial = self.buf.len() - j < RESYNC_LOOKBACK
                && j - i < RESYNC_LOOKBACK
                && self.buf.get(j).is_none_or(|&b| b == b'{');
            if !partial || !self.fill() {
                return false;
            }
        }
    }

    /// Gives out the elements of the split array up to the comma at `p`.
    fn cut_elements(&mut self, p: u64) {
        self.start_split();
        let at_next = self.at(p + 1);
        let Some(split) = self.st.split.as_mut() else {
            return;
        };
        let (elems, elems_at, first) = (split.elems, split.elems_at, split.given);
        split.elems = p + 1;
        split.elems_at = at_next;
        split.boundary = None;
        split.given = split.seen;
        let key = split.key.clone();
        self.push_elements(key.as_deref(), elems, p, elems_at, true, first);
    }

    /// A container closed at `p`; the depth is now one less.
    fn closed(&mut self, p: u64) {
        let depth = self.st.depth;
        let split_closes = self.st.split.as_ref().is_some_and(|s| depth + 1 == s.depth);
        if let Some(skip) = &self.st.skip {
            let ends = if skip.element {
                split_closes
            } else {
                depth == 0
            };
            if !ends {
                return;
            }
            self.ready.push_back(Piece::Skipped {
                at: skip.at,
                bytes: p + 1 - skip.from,
            });
            let element = skip.element;
            self.st.skip = None;
            if !element {
                self.st.split = None;
                self.end_value(p);
                return;
            }
        } else if split_closes && let Some(split) = self.st.split.as_ref().filter(|s| s.started) {
            let (key, elems, at) = (split.key.clone(), split.elems, split.elems_at);
            let first = split.given;
            self.push_elements(key.as_deref(), elems, p, at, true, first);
        }
        if split_closes
            && let Some(split) = self.st.split.take()
            && split.started
        {
            match &mut self.st.shell {
                // The shell takes the array's `]` and what follows.
                Some((_, from)) => *from = Some(p),
                // A top-level array: all of it has gone out.
                None => self.end_value(p),
            }
        }
        if depth == 0 && self.st.run != p + 1 {
            if let Some((mut shell, from)) = self.st.shell.take() {
                shell.extend_from_slice(self.slice(from.unwrap_or(p), p + 1));
                let at = self.st.value_at;
                self.push(shell, 0, Some(at));
                self.end_value(p);
            } else if p + 1 - self.st.run >= self.opts.chunk_bytes as u64 {
                let (run, at) = (self.st.run, self.st.run_at);
                self.push_text(run, p + 1, at);
                self.end_value(p);
            }
        }
    }

    /// The top-level value ending at `p` has gone out (or was skipped): the next run starts.
    fn end_value(&mut self, p: u64) {
        self.st.run = p + 1;
        self.st.run_at = self.at(p + 1);
        self.st.depth = 0;
    }

    /// The text cannot be followed at `p`: the piece ends with this line, and cutting resumes
    /// at the next line that starts with `{`, as the readers' own recovery does.
    fn broken(&mut self, p: u64) {
        // Inside an array being split (its elements' depth or deeper), the readers read on at
        // the next element after a break: so does the cutter, keeping the broken element with
        // the ones after it, so that a reader sees what reading the whole text sees.
        if self.st.skip.is_none()
            && self.st.element_resync.is_none()
            && let Some(split) = &self.st.split
            && self.st.depth >= split.depth
        {
            let floor = if split.started {
                split.elems
            } else {
                self.st.value
            };
            let search = crate::input::json::search_start(
                (p - self.base) as usize,
                (floor.max(self.base) - self.base) as usize,
                crate::input::json::Within::Array {
                    top: split.key.is_none(),
                },
            );
            self.st.element_resync = Some(ElementResync {
                at: p,
                search: self.base + search as u64,
                seen: split.seen,
                waiting: false,
            });
            return;
        }
        self.broken_here(p);
    }

    /// Looks for the element a reader reads on at after a break in a split array
    /// ([`crate::input::json::resync`], checked the same way). Found, scanning goes on there,
    /// inside the array; not found before the next top-level value or the end, or not within
    /// the cap on values, the break is handled as outside an array. False when more text must
    /// be read first.
    fn find_element(&mut self) -> bool {
        use crate::input::json::{Found, Resync, Within, resync};
        let Some(r) = self.st.element_resync.as_ref() else {
            return true;
        };
        let end = self.base + self.buf.len() as u64;
        let (at, seen, search) = (r.at, r.seen, r.search);
        let within = Within::Array {
            top: self.st.split.as_ref().is_none_or(|s| s.key.is_none()),
        };
        let found = resync(
            &self.buf,
            (at - self.base) as usize,
            (search - self.base) as usize,
            within,
            self.eof,
        );
        let waits = !self.eof && end - at <= self.opts.max_value as u64;
        let Some(r) = self.st.element_resync.as_mut() else {
            return true;
        };
        match found {
            Found::At(Resync::Element(j)) => {
                let j = self.base + j as u64;
                self.st.element_resync = None;
                // The break of an element whose start a string swallowed is read in that
                // element's key: no cut between them.
                let swallowed = j < self.st.pos;
                if swallowed {
                    // The next element's start, swallowed by a string the break left open:
                    // scanning goes back to it.
                    let text = self.slice(j, self.st.pos);
                    let lines = memchr::memchr_iter(b'\n', text).count() as u64;
                    if lines > 0 {
                        self.st.line -= lines;
                        let before = self.slice(self.base, j);
                        self.st.line_start = memchr::memrchr(b'\n', before)
                            .map_or(self.base, |i| self.base + i as u64 + 1);
                    }
                } else {
                    // Lines passed over.
                    let text = self.slice(self.st.pos, j);
                    if let Some(i) = memchr::memrchr(b'\n', text) {
                        self.st.line += memchr::memchr_iter(b'\n', text).count() as u64;
                        self.st.line_start = self.st.pos + i as u64 + 1;
                    }
                }
                self.st.pos = j;
                self.st.in_str = false;
                self.st.esc = false;
                if let Some(split) = self.st.split.as_mut() {
                    self.st.depth = split.depth;
                    // Nothing is cut between the break and here.
                    split.boundary = None;
                    split.seen = seen + 1;
                }
                if !swallowed {
                    self.cut_before_resumed(j);
                }
                true
            }
            // Scanning waits here until more is read.
            Found::More(j) if waits => r.wait(Some(self.base + j as u64), end),
            Found::Nothing if waits => r.wait(None, end),
            Found::Nothing if self.eof && self.st.split.as_ref().is_some_and(|s| s.started) => {
                // No element after the break, to the end, in an array given out in pieces:
                // the elements from the last cut go out as they are, to the end, as when the
                // array never closed (the reader reads the break, then finds nothing after
                // it, as when it reads the whole text).
                self.st.element_resync = None;
                self.st.pos = end;
                true
            }
            _ => {
                // As a break outside an array, from the break's own place (scanning is still
                // right after it).
                self.st.element_resync = None;
                self.broken_here(at);
                true
            }
        }
    }

    /// After a break, reading resumed at the element at `j`: the elements before it go out up
    /// to the comma before it once they fill a piece, the broken one last. A run of broken
    /// elements (none of which ends at a comma of its own) is cut too, so memory stays bounded
    /// whatever the input: the reader finds no element after the break in that piece, and the
    /// next piece starts with this one, where reading the whole text reads on.
    fn cut_before_resumed(&mut self, j: u64) {
        let Some(split) = &self.st.split else {
            return;
        };
        let from = if split.started {
            split.elems
        } else {
            self.st.value
        };
        let text = self.slice(from, j);
        let Some(c) = text.iter().rposition(|&b| !is_ws(b)) else {
            return;
        };
        if text[c] == b',' && c as u64 >= self.opts.chunk_bytes as u64 {
            self.cut_elements(from + c as u64);
        }
    }

    /// The text cannot be followed at `p` (outside a split array): see [`Cutter::broken`].
    fn broken_here(&mut self, p: u64) {
        if let Some(skip) = self.st.skip.take() {
            self.ready.push_back(Piece::Skipped {
                at: skip.at,
                bytes: p - skip.from,
            });
            self.st.run = p;
            self.st.run_at = self.at(p);
            self.st.split = None;
            self.st.shell = None;
        }
        if let Some(split) = self.st.split.take().filter(|s| s.started) {
            // The whole elements go out; the broken one goes with the broken line.
            let (elems, at) = (split.elems, split.elems_at);
            match split.boundary {
                Some(b) => {
                    self.push_elements(split.key.as_deref(), elems, b, at, true, split.given);
                    self.st.run = b + 1;
                    self.st.run_at = self.at_past(b + 1, elems, at);
                }
                None => {
                    self.st.run = elems;
                    self.st.run_at = at;
                }
            }
        }
        if let Some((_, Some(from))) = self.st.shell.take() {
            // An object given out in pieces broke after its last split array closed: its
            // text from there (kept for the shell) goes with the broken line; what came
            // before has gone out already, and may no longer be read.
            if self.st.run < from {
                self.st.run = from;
                self.st.run_at = self.at(from);
            }
        }
        self.st.resync = true;
        self.st.depth = 0;
        self.st.in_str = false;
        self.st.esc = false;
        self.st.key = None;
        self.st.member = None;
        if self.buf[(p - self.base) as usize] == b'\n' {
            self.end_broken_line(p);
        } else if self.st.run != u64::MAX {
            self.st.top_resync = Some(ElementResync {
                at: p,
                search: p,
                seen: 0,
                waiting: false,
            });
        }
    }

    /// Looks for the top-level value a reader reads on at after a break outside any split
    /// array ([`crate::input::json::resync`] between values, checked the same way): the next
    /// line that starts with `{`, or a `}{` whose value reads whole. Found, the broken text
    /// with the values before it goes out up to there, as a piece of its own, and cutting goes
    /// on there: on one line of concatenated values (Firehose's S3 objects) a break costs its
    /// value, not the rest of the line held in memory as one piece. Not found within the cap
    /// on values, the broken text goes out at the end of its line, and the bytes after it are
    /// passed over to the next line that starts with `{` ([`Cutter::resync_byte`]), as before.
    /// False when more text must be read first.
    fn find_top(&mut self) -> bool {
        use crate::input::json::{Found, Resync, Within, resync};
        let Some(r) = self.st.top_resync.as_ref() else {
            return true;
        };
        let end = self.base + self.buf.len() as u64;
        let (at, search) = (r.at, r.search);
        let found = resync(
            &self.buf,
            (at - self.base) as usize,
            (search - self.base) as usize,
            Within::Values,
            self.eof,
        );
        let waits = !self.eof && end - at <= self.opts.max_value as u64;
        let Some(r) = self.st.top_resync.as_mut() else {
            return true;
        };
        match found {
            Found::At(Resync::Top(j) | Resync::Element(j)) => {
                let j = self.base + j as u64;
                self.st.top_resync = None;
                // Lines passed over (the value found is after the break, so after `pos`).
                let text = self.slice(self.st.pos, j);
                if let Some(i) = memchr::memrchr(b'\n', text) {
                    self.st.line += memchr::memchr_iter(b'\n', text).count() as u64;
                    self.st.line_start = self.st.pos + i as u64 + 1;
                }
                let (run, run_at) = (self.st.run, self.st.run_at);
                self.push_text(run, j, run_at);
                self.st.resync = false;
                self.st.pos = j;
                self.st.run = j;
                self.st.run_at = self.at(j);
                true
            }
            // Scanning waits here until more is read.
            Found::More(j) if waits => r.wait(Some(self.base + j as u64), end),
            Found::Nothing if waits => r.wait(None, end),
            _ => {
                self.st.top_resync = None;
                true
            }
        }
    }

    /// The broken line ends at the newline at `p`: the run with it goes out.
    fn end_broken_line(&mut self, p: u64) {
        let (run, at) = (self.st.run, self.st.run_at);
        if run != u64::MAX {
            self.push_text(run, p + 1, at);
        }
        self.st.run = u64::MAX;
    }

    /// After broken text: at the end of the broken line the run goes out; then bytes are
    /// passed over until a line starts with `{`.
    fn resync_byte(&mut self, p: u64, b: u8) {
        if self.st.run != u64::MAX {
            if b == b'\n' {
                self.end_broken_line(p);
            }
            return;
        }
        if b == b'{'
            && self
                .slice(self.st.line_start, p)
                .iter()
                .all(|&c| matches!(c, b' ' | b'\t' | b'\r'))
        {
            self.st.resync = false;
            self.st.run = p;
            self.st.run_at = self.at(p);
            self.st.value = p;
            self.st.value_at = self.at(p);
            self.st.object = true;
            self.st.expect_key = true;
            self.st.key = None;
            self.st.member = None;
            self.st.depth = 1;
        }
    }
}

/// Whether a text starts like JSON (a container), after a byte order mark and blanks.
fn starts_like_json(buf: &[u8]) -> bool {
    let b = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    match b.iter().find(|&&c| !is_ws(c)) {
        Some(c) => matches!(c, b'{' | b'['),
        // Only blanks so far: the reader judges.
        None => true,
    }
}

/// Whether `c` can be part of a number or of `true`, `false`, `null`.
fn is_scalar_byte(c: u8) -> bool {
    matches!(
        c,
        b'0'..=b'9'
            | b'-'
            | b'+'
            | b'.'
            | b'e'
            | b'E'
            | b't'
            | b'r'
            | b'u'
            | b'f'
            | b'a'
            | b'l'
            | b's'
            | b'n'
    )
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// The offset just after the last newline of `buf` that sits between top-level values by the
/// rule in the module documentation (the next line starts with `{` or `[` and the last
/// non-blank byte before it is `}` or `]`), if any.
fn last_line_cut(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
        end = nl;
        let Some(after) = buf[nl + 1..]
            .iter()
            .position(|&c| !matches!(c, b' ' | b'\t' | b'\r'))
        else {
            // The next line is not all here yet.
            continue;
        };
        if !matches!(buf[nl + 1 + after], b'{' | b'[') {
            continue;
        }
        let before = buf[..nl].iter().rposition(|&c| !is_ws(c));
        if before.is_some_and(|i| matches!(buf[i], b'}' | b']')) {
            return Some(nl + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CloudTrail-like record of about 600 bytes, damaged (a value with no quotes, which no
    /// reader can read past) when `damaged`.
    fn record(i: usize, damaged: bool) -> String {
        let name = if damaged {
            "PutRecord"
        } else {
            "\"PutRecord\""
        };
        format!(
            r#"{{"eventVersion":"1.08","eventSource":"kinesis.amazonaws.com","eventName":{name},"awsRegion":"us-east-1","eventTime":"2024-03-09T00:00:00Z","sourceIPAddress":"10.0.0.{}","userIdentity":{{"type":"IAMUser","userName":"u{}","arn":"arn:aws:iam::123456789012:user/u{}"}},"requestParameters":{{"streamName":"s{}"}},"eventID":"{:08x}-0000-0000-0000-000000000000","padding":"{}"}}"#,
            i % 250,
            i % 7,
            i % 7,
            i % 3,
            i,
            "x".repeat(200)
        )
    }

    /// The most text held at once while cutting `text` in pieces of `chunk` (the cutter's
    /// buffer, or a piece given out), and the bytes given out in pieces.
    fn held_while_cutting(text: &str, chunk: usize) -> (usize, usize) {
        let opts = CutOptions {
            chunk_bytes: chunk,
            max_value: 1 << 30,
            split_keys: &["Records"],
            any_line: false,
        };
        let mut cutter = Cutter::new(
            Vec::new(),
            io::Cursor::new(text.as_bytes().to_vec()),
            opts,
            Pool::default(),
        );
        let (mut held, mut out) = (0, 0);
        while let Some(piece) = cutter.next() {
            held = held.max(cutter.buf.len());
            if let Piece::Text(t) = piece {
                out += t.bytes().len();
                held = held.max(t.bytes().len());
            }
        }
        (held, out)
    }

    /// One line of 4,000 records concatenated with no separator (as Firehose writes them to
    /// S3), one in ten damaged: the cutter reads on from the next `}{` as the readers do, and
    /// holds a few pieces at most (it held the rest of the line after the first break, and gave
    /// it out as one piece, before 2026-12-02).
    #[test]
    fn a_line_of_concatenated_damaged_records_is_cut_in_bounded_memory() {
        let chunk = 16 * 1024;
        let line: String = (0..4000).map(|i| record(i, i % 10 == 3)).collect();
        assert!(line.len() > 2_000_000);
        let (held, out) = held_while_cutting(&line, chunk);
        assert_eq!(out, line.len());
        let bound = 4 * chunk + 4 * 64 * 1024;
        assert!(held <= bound, "{held} held");
    }

    /// One line of 4,000 records, every other one damaged: the text held while cutting stays
    /// within a few pieces and the resync's look-ahead, as for the same records undamaged,
    /// however long the line (it held the whole line before 2026-12-02).
    #[test]
    fn a_line_of_many_damaged_records_is_cut_in_bounded_memory() {
        let chunk = 16 * 1024;
        let line = |damage: bool| {
            let r: Vec<String> = (0..4000).map(|i| record(i, damage && i % 2 == 1)).collect();
            format!(r#"{{"Records":[{}]}}"#, r.join(","))
        };
        let (good, damaged) = (line(false), line(true));
        assert!(damaged.len() > 2_000_000);
        let (held_good, out_good) = held_while_cutting(&good, chunk);
        let (held_damaged, out_damaged) = held_while_cutting(&damaged, chunk);
        // Every byte of the records array goes out, wrapped as documents of their own.
        assert!(out_good >= good.len() && out_damaged >= damaged.len());
        // Four pieces before cutting starts (the lines mode's look-ahead), then the resync's
        // look-ahead of at most 64 KiB past a break, and as much again before compacting.
        let bound = 4 * chunk + 4 * 64 * 1024;
        assert!(held_good <= bound, "{held_good} held, undamaged");
        assert!(held_damaged <= bound, "{held_damaged} held, damaged");
    }
}
