//! The fast path for CloudTrail documents: a hand-written scan that reads only the fields in
//! [`RawRecord`] and steps over everything else without building it.
//!
//! It covers the layouts that make up nearly every dump (the S3 `{"Records":[...]}` envelope,
//! a top-level array, JSON lines, a single record) and hands anything else to the serde path in
//! [`super::parse`] by returning `None`: a syntax error, any other [`Envelope`] (lookup-events,
//! digests, CloudWatch Logs, EventBridge), a CloudWatch Logs export, an escape
//! in a key, a number where a string field is expected, a duplicate field inside
//! `userIdentity` (which serde reports as an error). Records are collected as byte ranges and
//! passed to the sink only once the whole document has scanned cleanly (a document of more than
//! `BUFFERED_RECORDS` is checked first and then scanned again), so a document that bails
//! halfway is read again by the serde path from scratch, never counted twice.
//!
//! The rule that keeps the two paths equal: whatever this module accepts, the serde path reads
//! to the same records. [`compare_with_serde`] checks that; the tests run it on every fixture and
//! on mutated documents, and the `cloudtrail_paths` fuzz target on whatever it finds.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::{
    DocReport, Envelope, Field, FirstResource, Layout, OnBehalfOf, Place, RawRecord, Record,
    RecordSink, RequestParameters, Resource, SessionContext, SessionIssuer, Skips, UserIdentity,
};
use crate::input::lenient::{Obj, Str};
use crate::input::scan::{Bail, Bytes, Cursor, KeyText, Scan, Span};

/// Which of the nested objects were present (an object value, not absent or another type).
mod present {
    pub const USER_IDENTITY: u8 = 1;
    pub const SESSION_CONTEXT: u8 = 2;
    pub const SESSION_ISSUER: u8 = 4;
    pub const ON_BEHALF_OF: u8 = 8;
    pub const REQUEST_PARAMETERS: u8 = 16;
    /// `resources` is an array whose first entry is an object.
    pub const RESOURCE: u8 = 32;
}

/// A string field's place: a range of the input, or an index into the unescaped strings; 8
/// bytes, so that a record's [`Fields`] are few to clear and to keep.
///
/// `start == u32::MAX` never begins a range (a string's contents start before its closing
/// quote, at an offset below the input's length, itself at most `u32::MAX`), so it marks the
/// other two: absent when `end` is `u32::MAX` too, else `owned[end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Val {
    start: u32,
    end: u32,
}

impl Val {
    /// Absent, or not a string.
    const NONE: Val = Val {
        start: u32::MAX,
        end: u32::MAX,
    };

    /// The bytes `start..end` of the input (no escapes).
    fn raw(start: usize, end: usize) -> Val {
        debug_assert!(start <= end && end < u32::MAX as usize);
        Val {
            start: start as u32,
            end: end as u32,
        }
    }

    /// `owned[i]`, a string that had escapes.
    fn owned(i: usize) -> Val {
        debug_assert!(i < u32::MAX as usize);
        Val {
            start: u32::MAX,
            end: i as u32,
        }
    }
}

impl Default for Val {
    fn default() -> Self {
        Val::NONE
    }
}

/// A member of a record object, by its key. A tag byte and the field (`repr(u8)`), so that
/// the member loop's dispatch is a jump on the tag as loaded, not on a niche decoded first.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Member {
    /// A string field the panels read.
    Str(Field),
    UserIdentity,
    RequestParameters,
    Resources,
    /// The envelope's array of records (top level only).
    Records,
    /// Anything else: skipped.
    Other,
}

/// One record's fields, as places in the input, each at its [`Field`]'s index, and where the
/// record is (for a skip's [`Place`], and to read it again whole: [`FastRecord::whole`]).
#[derive(Debug, Clone, Default)]
struct Fields {
    spans: [Val; Field::ALL.len()],
    present: u8,
    /// Offset of the top-level value holding the record.
    value: u32,
    /// Index in the value's array of records; `NO_INDEX` for a record that is the value.
    index: u32,
    /// Offset of the record's `{`.
    start: u32,
}

/// [`Fields::index`] of a record that is a top-level value itself.
const NO_INDEX: u32 = u32::MAX;

impl Fields {
    /// A record starting at `start`, in the top-level value at `value`, at `index` of its
    /// array.
    fn at(value: u32, index: u32, start: u32) -> Self {
        Fields {
            value,
            index,
            start,
            ..Fields::default()
        }
    }

    /// Where the record is, as the serde path says it: its array is `Records`, or the
    /// top-level array when the value is one.
    fn place(&self, text: &str) -> Place {
        let value = self.value as usize;
        let key = if text.as_bytes().get(value) == Some(&b'[') {
            ""
        } else {
            "Records"
        };
        Place {
            value,
            index: (self.index != NO_INDEX).then_some((key, u64::from(self.index))),
        }
    }
}

/// Records held back before they are passed on: enough for any S3 delivery file. A document
/// with more is scanned to the end without keeping anything, then read again passing each
/// record on as it is read, so memory stays bounded whatever the file holds.
const BUFFERED_RECORDS: usize = 16_384;

/// What the scan does with each record it completes.
enum Mode<'s> {
    /// Keep it in `records` (the first pass).
    Buffer,
    /// Count it only: the document is too long to buffer, and is being checked.
    Check,
    /// Pass it on at once: the document is known to scan cleanly.
    Emit(&'s mut dyn RecordSink),
}

/// The scan of one document.
struct Doc<'a, 's, C> {
    /// The cursor's type: each walk keeps its own cursor in a local.
    cursor: PhantomData<C>,
    text: &'a str,
    mode: Mode<'s>,
    records: Vec<Fields>,
    /// Records completed, in any mode.
    count: u64,
    /// Records the sink refused (when emitting).
    skipped: Skips,
    /// Offset of the top-level value being read.
    value: u32,
    /// Unescaped string values, indexed by [`Val::owned`].
    owned: Vec<String>,
    /// The keys records had, for [`Doc::object`] to expect the next one.
    keys: KeyChain,
}

/// The distinct keys records had (up to [`KeyChain::MAX`]; each as `,"key":`, so keys of up to
/// 20 bytes), each with the member it is and the two keys that followed it last. CloudTrail
/// writes a record's members in one order, with a few optional ones (`errorCode`,
/// `resources`, ...), so the key after `k` is nearly always one of the two that followed `k`
/// before: [`Doc::object`] checks for them first, and a key found that way is neither scanned
/// for its end nor looked up. A wrong guess costs one comparison, two wrong ones relink the
/// chain.
///
/// The links are a table of 64 indexed by a byte's low six bits, so that following one holds
/// no test: the places past the keys, and [`KeyChain::NONE`]'s, hold [`KeyText::NEVER`], which
/// no text matches; [`KeyChain::START`]'s holds the keys a record began with.
struct KeyChain {
    links: Box<[Link; 64]>,
    /// How many keys there are (at most `MAX`).
    len: usize,
}

/// A key of [`KeyChain`].
#[derive(Clone, Copy)]
struct Link {
    text: KeyText,
    member: Member,
    /// The keys that followed it: the one expected first, then the other
    /// ([`KeyChain::NONE`]: none known).
    next: [u8; 2],
}

impl Default for KeyChain {
    fn default() -> Self {
        let never = Link {
            text: KeyText::NEVER,
            member: Member::Other,
            next: [KeyChain::NONE; 2],
        };
        KeyChain {
            links: Box::new([never; 64]),
            len: 0,
        }
    }
}

impl KeyChain {
    /// No key known: a place that no text matches.
    const NONE: u8 = 62;
    /// Before a record's first key.
    const START: u8 = 63;
    /// The most keys remembered (a record has about twenty).
    const MAX: usize = 62;

    /// The link at `i` (its low six bits).
    #[inline(always)]
    fn link(&self, i: u8) -> &Link {
        &self.links[usize::from(i) & 63]
    }

    /// When the next token of `s` is one of the keys that followed key `prev` (`START`: after
    /// a record's `{`, `OPEN`; otherwise after a value, the comma included): its index and
    /// member, the cursor passed over it and its colon. The second one found becomes the one
    /// expected first.
    #[inline(always)]
    fn expected<'a, const OPEN: bool, C: Cursor<'a>>(
        &mut self,
        s: &mut C,
        prev: u8,
    ) -> Option<(u8, Member)> {
        let eat = |s: &mut C, l: &Link| {
            if OPEN {
                s.eat_key_text(&l.text)
            } else {
                s.eat_next_key(&l.text)
            }
        };
        let [first, second] = self.link(prev).next;
        let l = self.link(first);
        if eat(s, l) {
            return Some((first, l.member));
        }
        let l = self.link(second);
        if eat(s, l) {
            let member = l.member;
            self.swap(prev);
            return Some((second, member));
        }
        None
    }

    /// The keys expected after `prev` trade places.
    #[cold]
    #[inline(never)]
    fn swap(&mut self, prev: u8) {
        self.links[usize::from(prev) & 63].next.swap(0, 1);
    }

    /// `key` (the member `member`) came after key `prev` (`START`: it is a record's first), but
    /// not as [`KeyChain::expected`] found it: its index, added if new (`NONE` when it cannot be
    /// remembered: too long, or too many keys), now expected first after `prev`.
    #[cold]
    fn learn(&mut self, prev: u8, key: &[u8], member: Member) -> u8 {
        let at = match KeyText::new(key) {
            Some(text) => match self.links[..self.len].iter().position(|l| l.text == text) {
                Some(at) => at as u8,
                None if self.len < Self::MAX => {
                    self.links[self.len] = Link {
                        text,
                        member,
                        next: [Self::NONE; 2],
                    };
                    self.len += 1;
                    (self.len - 1) as u8
                }
                None => Self::NONE,
            },
            None => Self::NONE,
        };
        let next = &mut self.links[usize::from(prev) & 63].next;
        if next[0] != at {
            *next = [at, next[0]];
        }
        at
    }
}

thread_local! {
    /// Each thread's record buffer, kept from one document to the next.
    static BUFFER: std::cell::RefCell<Vec<Fields>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads `buf` on the fast path, or returns `None` when the serde path must read it. On
/// success every record has been passed to `sink`; on `None`, none has.
pub fn parse_document(buf: &str, sink: &mut dyn RecordSink) -> Option<DocReport> {
    parse_with::<Bytes>(buf, sink)
}

/// [`parse_document`] with the scanner `C`.
fn parse_with<'a, C: Cursor<'a>>(buf: &'a str, sink: &mut dyn RecordSink) -> Option<DocReport> {
    // Offsets are kept as u32; larger documents take the serde path.
    if u32::try_from(buf.len()).is_err() {
        return None;
    }
    let mut records = BUFFER.with_borrow_mut(std::mem::take);
    records.clear();
    let mut doc = Doc::<C>::new(buf, Mode::Buffer, records);
    let scanned = doc.document();
    let report = match (scanned, doc.mode) {
        (Err(Bail), _) => None,
        (Ok(layout), Mode::Buffer) => {
            let mut skipped = Skips::default();
            for f in &doc.records {
                if let Err(why) = sink.fast_record(&FastRecord::new(f, buf, &doc.owned)) {
                    skipped.add(why, f.place(buf));
                }
            }
            Some(report(layout, doc.count, skipped))
        }
        (Ok(layout), _) => {
            // Checked clean: the second scan takes the same path, so it cannot bail.
            let mut again = Doc::<C>::new(buf, Mode::Emit(sink), Vec::new());
            let emitted = again.document();
            debug_assert_eq!(emitted, Ok(layout));
            Some(report(layout, again.count, again.skipped))
        }
    };
    BUFFER.with_borrow_mut(|b| *b = std::mem::take(&mut doc.records));
    report
}

/// The report of a clean scan of `read` records, of which `skipped` were refused by the sink.
fn report(layout: Layout, read: u64, skipped: Skips) -> DocReport {
    DocReport {
        layout: Some(layout),
        records: read - skipped.total(),
        skipped,
        control_messages: 0,
        damage: Vec::new(),
        intact: 0,
    }
}

/// A record read by the fast path: its fields are looked up in the input only when asked for.
pub struct FastRecord<'r> {
    fields: &'r Fields,
    text: &'r str,
    owned: &'r [String],
}

impl<'r> FastRecord<'r> {
    fn new(fields: &'r Fields, text: &'r str, owned: &'r [String]) -> Self {
        FastRecord {
            fields,
            text,
            owned,
        }
    }

    /// The same record as the serde path builds it.
    pub fn to_raw(&self) -> RawRecord<'r> {
        let s = |f: Field| -> Str<'r> { Str(self.at(f).map(Cow::Borrowed)) };
        let has = |bit: u8| self.fields.present & bit != 0;
        RawRecord {
            event_time: s(Field::EventTime),
            event_source: s(Field::EventSource),
            event_name: s(Field::EventName),
            event_type: s(Field::EventType),
            event_id: s(Field::EventId),
            aws_region: s(Field::AwsRegion),
            source_ip: s(Field::SourceIp),
            error_code: s(Field::ErrorCode),
            error_message: s(Field::ErrorMessage),
            recipient_account_id: s(Field::RecipientAccountId),
            user_identity: Obj(has(present::USER_IDENTITY).then(|| UserIdentity {
                kind: s(Field::IdentityType),
                user_name: s(Field::UserName),
                arn: s(Field::Arn),
                principal_id: s(Field::PrincipalId),
                account_id: s(Field::IdentityAccountId),
                invoked_by: s(Field::InvokedBy),
                session_context: Obj(has(present::SESSION_CONTEXT).then(|| SessionContext {
                    session_issuer: Obj(has(present::SESSION_ISSUER).then(|| SessionIssuer {
                        user_name: s(Field::IssuerUserName),
                    })),
                })),
                on_behalf_of: Obj(has(present::ON_BEHALF_OF).then(|| OnBehalfOf {
                    user_id: s(Field::OnBehalfOfUserId),
                })),
            })),
            request_parameters: Obj(has(present::REQUEST_PARAMETERS).then(|| RequestParameters {
                stream_name: s(Field::StreamName),
                stream_arn: s(Field::StreamArn),
                consumer_arn: s(Field::ConsumerArn),
                resource_arn: s(Field::ResourceArn),
                ..RequestParameters::default()
            })),
            resources: FirstResource(has(present::RESOURCE).then(|| Resource {
                arn: s(Field::ResourcesArn),
            })),
        }
    }

    /// The record as the serde path reads it, every member included (the capacity parameters
    /// of `requestParameters`, which the scan steps over): read again by serde_json from the
    /// record's `{`. For the few records a reader needs whole (`health`'s change events).
    /// `None` cannot happen for a document the scan accepted (serde reads it to the same
    /// records), but is not assumed away.
    pub fn whole(&self) -> Option<RawRecord<'r>> {
        use serde::de::DeserializeSeed;
        let text = self.text.get(self.fields.start as usize..)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let mut out = None;
        super::parse::RecordSeed(&mut out)
            .deserialize(&mut de)
            .ok()?;
        out
    }

    #[inline]
    fn at(&self, f: Field) -> Option<&'r str> {
        let v = self.fields.spans[f as usize];
        if v.start != u32::MAX {
            let bytes = self.text.as_bytes().get(v.start as usize..v.end as usize)?;
            // SAFETY: the contents of a string the scanner found in `text`: `start` follows
            // its opening quote and `end` is its closing quote, both ASCII, so both are
            // character boundaries of the UTF-8 text (what `str::get` would check again).
            debug_assert!(self.text.is_char_boundary(v.start as usize));
            debug_assert!(self.text.is_char_boundary(v.end as usize));
            Some(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else if v.end != u32::MAX {
            self.owned.get(v.end as usize).map(String::as_str)
        } else {
            None
        }
    }
}

impl Record for FastRecord<'_> {
    #[inline]
    fn get(&self, f: Field) -> Option<&str> {
        // A field inside an object that was absent was never set, so it is `None` already.
        self.at(f)
    }

    fn with_whole<T>(&self, f: impl FnOnce(&RawRecord<'_>) -> T) -> Option<T> {
        self.whole().map(|r| f(&r))
    }
}

/// The member of a record object with key `key` (`None`: an [`Envelope`] key other than
/// `Records` at the top level, which the serde path reads). By length, then each candidate of
/// that length compared whole, which compiles to a few word loads, rather than a match on the
/// byte strings, which compiles to a test of one byte after another.
#[inline(always)]
fn record_member(key: &[u8], top: bool) -> Option<Member> {
    use Field::*;
    Some(match key.len() {
        7 if key == b"eventID" => Member::Str(EventId),
        7 if top && key == b"Records" => Member::Records,
        9 if key == b"eventTime" => Member::Str(EventTime),
        9 if key == b"eventName" => Member::Str(EventName),
        9 if key == b"awsRegion" => Member::Str(AwsRegion),
        9 if key == b"eventType" => Member::Str(EventType),
        9 if key == b"errorCode" => Member::Str(ErrorCode),
        9 if key == b"resources" => Member::Resources,
        11 if key == b"eventSource" => Member::Str(EventSource),
        12 if key == b"userIdentity" => Member::UserIdentity,
        12 if key == b"errorMessage" => Member::Str(ErrorMessage),
        15 if key == b"sourceIPAddress" => Member::Str(SourceIp),
        17 if key == b"requestParameters" => Member::RequestParameters,
        18 if key == b"recipientAccountId" => Member::Str(RecipientAccountId),
        _ if top && Envelope::of_key(key).is_some() => return None,
        _ => Member::Other,
    })
}

/// A `members` key lookup for a struct with one field.
fn only(name: &'static [u8]) -> impl Fn(&[u8]) -> Option<usize> {
    move |key| (key == name).then_some(0)
}

impl<'a, 's, C: Cursor<'a>> Doc<'a, 's, C> {
    fn new(text: &'a str, mode: Mode<'s>, records: Vec<Fields>) -> Self {
        Doc {
            cursor: PhantomData,
            text,
            mode,
            records,
            count: 0,
            skipped: Skips::default(),
            value: 0,
            owned: Vec::new(),
            keys: KeyChain::default(),
        }
    }

    /// A record is complete.
    fn record(&mut self, f: Fields) {
        self.records.push(f);
        self.record_done();
    }

    /// The record at the end of `records` is complete: kept there when buffering, passed on
    /// (or only counted) and removed otherwise.
    fn record_done(&mut self) {
        self.count += 1;
        match &mut self.mode {
            Mode::Buffer => {
                if self.records.len() > BUFFERED_RECORDS {
                    self.mode = Mode::Check;
                    self.records.clear();
                    self.owned.clear();
                }
            }
            Mode::Check => {
                self.records.clear();
                self.owned.clear();
            }
            Mode::Emit(sink) => {
                if let Some(f) = self.records.last()
                    && let Err(why) = sink.fast_record(&FastRecord::new(f, self.text, &self.owned))
                {
                    self.skipped.add(why, f.place(self.text));
                }
                self.records.clear();
                // The strings of an enclosing envelope object go too: it is never a record.
                self.owned.clear();
            }
        }
    }

    /// The whole document: top-level values one after another, as `input::json::for_each_value`
    /// finds them, each read as `parse`'s `TopSeed` reads it.
    fn document(&mut self) -> Scan<Layout> {
        let mut s = C::new(self.text.as_bytes());
        let s = &mut s;
        s.skip_bom()?;
        let mut layout = None;
        let mut first = true;
        while let Some(at) = s.peek_at() {
            let c = s.bytes()[at];
            // Offsets fit: longer documents take the serde path.
            self.value = at as u32;
            let this = match c {
                b'{' => {
                    s.advance();
                    let mut top = Fields::at(self.value, NO_INDEX, self.value);
                    if self.object::<true>(s, &mut top)? {
                        Layout::Records
                    } else {
                        self.record(top);
                        Layout::Single
                    }
                }
                b'[' => {
                    s.advance();
                    self.records_array(s)?;
                    Layout::Array
                }
                // What `for_each_value` skips between values: commas after the first.
                b',' if !first => {
                    s.advance();
                    continue;
                }
                // Not JSON (or a form feed between values): the serde path words the report.
                _ => return Err(Bail),
            };
            first = false;
            layout = match layout {
                None => Some(this),
                Some(Layout::Single) => Some(Layout::Lines),
                l => l,
            };
        }
        if !s.finished() {
            return Err(Bail);
        }
        layout.ok_or(Bail)
    }

    /// The elements of a records array, after its `[`: each must be an object (a record).
    /// Walked with a copy of `s` in a local, so that it stays in registers (`s` is behind a
    /// pointer).
    fn records_array(&mut self, s: &mut C) -> Scan<()> {
        let mut local = *s;
        let read = self.records_in(&mut local);
        *s = local;
        read
    }

    /// [`Doc::records_array`] with the cursor in a local.
    #[inline(always)]
    fn records_in(&mut self, s: &mut C) -> Scan<()> {
        if s.eat(b']') {
            return Ok(());
        }
        let mut index = 0;
        loop {
            let start = match s.peek_at() {
                Some(at) if s.bytes()[at] == b'{' => {
                    s.advance();
                    at as u32
                }
                // Not a record: the serde path counts it as skipped.
                _ => return Err(Bail),
            };
            // Read into its place in `records`, not copied there once read.
            let mut records = std::mem::take(&mut self.records);
            records.push(Fields::at(self.value, index, start));
            let read = match records.last_mut() {
                // A record is never an envelope: `object` leaves `self.records` alone.
                Some(rec) => self.record_object(s.offset(), rec).map(|end| s.seek(end)),
                None => Err(Bail),
            };
            self.records = records;
            read?;
            self.record_done();
            index += 1;
            if !s.more(b']')? {
                return Ok(());
            }
        }
    }

    /// The members of a record, its `{` just before `pos`: the offset after its `}`. Out of
    /// line, by offset, so that the member loop has the registers to itself.
    #[inline(never)]
    fn record_object(&mut self, pos: usize, f: &mut Fields) -> Scan<usize> {
        let mut s = C::at(self.text.as_bytes(), pos);
        self.object::<false>(&mut s, f)?;
        Ok(s.offset())
    }

    /// The members of a record object, after its `{`. At the top level, a `Records` member is
    /// the envelope: its records are collected and true is returned. Other [`Envelope`] keys
    /// bail. Two copies: the top level's (`TOP`) and a record's, which has no test of `TOP` in
    /// its loop.
    #[inline(always)]
    fn object<const TOP: bool>(&mut self, s: &mut C, f: &mut Fields) -> Scan<bool> {
        let mut envelope = false;
        if s.eat(b'}') {
            return Ok(false);
        }
        // The key before this one in the record.
        let mut prev = KeyChain::START;
        // Which member this is, then one place that reads each kind (so the string read is
        // inlined once, not at every string field's arm). In a record, the key that followed
        // the previous one last time is looked for first: after the `{`, and after each value
        // together with the comma before it, so that a key found that way costs one
        // comparison for the comma and the key.
        let expected = if TOP {
            None
        } else {
            self.keys.expected::<true, C>(s, prev)
        };
        let mut member = match expected {
            Some((at, member)) => {
                prev = at;
                member
            }
            None => self.member::<TOP>(s, &mut prev)?,
        };
        loop {
            match member {
                Member::Str(field) => self.string_field(s, f, field)?,
                Member::Other => s.skip_value()?,
                // Out of line: by offset, so that `s` stays in registers.
                Member::UserIdentity => s.seek(self.user_identity(s.offset(), f)?),
                Member::RequestParameters => s.seek(self.request_parameters(s.offset(), f)?),
                Member::Resources => s.seek(self.resources(s.offset(), f)?),
                Member::Records => {
                    envelope = true;
                    if !s.eat(b'[') {
                        return Err(Bail);
                    }
                    self.records_array(s)?;
                }
            }
            let expected = if TOP {
                None
            } else {
                self.keys.expected::<false, C>(s, prev)
            };
            member = match expected {
                Some((at, member)) => {
                    prev = at;
                    member
                }
                None => {
                    if !s.more(b'}')? {
                        return Ok(envelope);
                    }
                    self.member::<TOP>(s, &mut prev)?
                }
            };
        }
    }

    /// The next key of a record object read the long way, and the member it is; in a record
    /// (not `TOP`), the key is remembered as the one after `prev`, which becomes its index.
    #[inline(always)]
    fn member<const TOP: bool>(&mut self, s: &mut C, prev: &mut u8) -> Scan<Member> {
        let key = s.key()?;
        let member = record_member(key, TOP).ok_or(Bail)?;
        if !TOP {
            *prev = self.keys.learn(*prev, key, member);
        }
        Ok(member)
    }

    /// A string field's value: a string is kept; any other value reads as absent, as
    /// `lenient::Str` reads it. A bare number bails: serde parses it (and can fail on range)
    /// where skipping would not.
    #[inline(always)]
    fn string_field(&mut self, s: &mut C, f: &mut Fields, field: Field) -> Scan<()> {
        f.spans[field as usize] = match s.peek() {
            Some(b'"') => {
                let span = s.string()?;
                if span.escaped {
                    self.unescaped(span)?
                } else {
                    Val::raw(span.start, span.end)
                }
            }
            Some(b'-' | b'0'..=b'9') | None => return Err(Bail),
            Some(_) => {
                s.skip_value()?;
                Val::NONE
            }
        };
        Ok(())
    }

    /// A string value with escapes: the exact text, quotes included, unescaped by serde_json
    /// itself.
    #[cold]
    fn unescaped(&mut self, span: Span) -> Scan<Val> {
        let quoted = self.text.get(span.start - 1..=span.end).ok_or(Bail)?;
        let value: String = serde_json::from_str(quoted).map_err(|_| Bail)?;
        self.owned.push(value);
        Ok(Val::owned(self.owned.len() - 1))
    }

    /// Opens an object-valued field: true (after the `{`) when the value is an object; any
    /// other value is skipped and reads as absent, as `lenient::Obj` reads it. Inlined (two or
    /// three a record), the other values out of line.
    #[inline(always)]
    fn open_object(s: &mut C) -> Scan<bool> {
        if s.peek() == Some(b'{') {
            s.advance();
            Ok(true)
        } else {
            s.seek(Self::not_an_object(s.bytes(), s.offset())?);
            Ok(false)
        }
    }

    /// [`Doc::open_object`] of any value but an object, from `pos` of `buf`: the offset after
    /// it.
    #[cold]
    #[inline(never)]
    fn not_an_object(buf: &'a [u8], pos: usize) -> Scan<usize> {
        let mut s = C::at(buf, pos);
        match s.peek() {
            // A bare number bails, as in `string_field`.
            Some(b'-' | b'0'..=b'9') | None => Err(Bail),
            Some(_) => {
                s.skip_value()?;
                Ok(s.offset())
            }
        }
    }

    /// The members of a derived struct's object, after its `{`: `each` is called with the index
    /// `known` gives each known key (unknown keys are skipped). A key seen twice bails: serde's derive
    /// reports a duplicate field as an error.
    #[inline(always)]
    fn members(
        &mut self,
        s: &mut C,
        known: impl Fn(&[u8]) -> Option<usize>,
        mut each: impl FnMut(&mut Self, &mut C, usize) -> Scan<()>,
    ) -> Scan<()> {
        let mut seen = 0u32;
        if s.eat(b'}') {
            return Ok(());
        }
        loop {
            let key = s.key()?;
            match known(key) {
                Some(i) => {
                    if seen & (1 << i) != 0 {
                        return Err(Bail);
                    }
                    seen |= 1 << i;
                    each(self, s, i)?;
                }
                None => s.skip_value()?,
            }
            if !s.more(b'}')? {
                return Ok(());
            }
        }
    }

    /// `userIdentity` (a later one replaces an earlier one whole, as in the serde path), its
    /// value at `pos`: the offset after it.
    ///
    /// This and the other walks by offset (`record_object`, `request_parameters`, `resources`)
    /// repeat the same three lines on purpose: one generic walk taking the `_in` function cost
    /// 2.3% more instructions (callgrind, `-j 1`, 40 realistic files: 365.10 → 373.42 M), the
    /// compiler inlining the walks differently.
    #[inline(never)]
    fn user_identity(&mut self, pos: usize, f: &mut Fields) -> Scan<usize> {
        let mut s = C::at(self.text.as_bytes(), pos);
        self.user_identity_in(&mut s, f)?;
        Ok(s.offset())
    }

    /// [`Doc::user_identity`] with the cursor in a local.
    #[inline(always)]
    fn user_identity_in(&mut self, s: &mut C, f: &mut Fields) -> Scan<()> {
        // The `userIdentity` fields sit together in `Field`'s order.
        f.spans[Field::IdentityType as usize..=Field::OnBehalfOfUserId as usize].fill(Val::NONE);
        f.present &= !(present::USER_IDENTITY
            | present::SESSION_CONTEXT
            | present::SESSION_ISSUER
            | present::ON_BEHALF_OF);
        if !Self::open_object(s)? {
            return Ok(());
        }
        f.present |= present::USER_IDENTITY;
        // As in `record_member`: by length, then each candidate compared whole.
        let known = |key: &[u8]| match key.len() {
            4 if key == b"type" => Some(0),
            8 if key == b"userName" => Some(1),
            3 if key == b"arn" => Some(2),
            11 if key == b"principalId" => Some(3),
            9 if key == b"invokedBy" => Some(4),
            9 if key == b"accountId" => Some(7),
            14 if key == b"sessionContext" => Some(5),
            10 if key == b"onBehalfOf" => Some(6),
            _ => None,
        };
        self.members(s, known, |d, s, i| match i {
            0 => d.string_field(s, f, Field::IdentityType),
            1 => d.string_field(s, f, Field::UserName),
            2 => d.string_field(s, f, Field::Arn),
            3 => d.string_field(s, f, Field::PrincipalId),
            4 => d.string_field(s, f, Field::InvokedBy),
            5 => d.one_member(
                s,
                f,
                present::SESSION_CONTEXT,
                b"sessionIssuer",
                |d, s, f| {
                    d.one_member(s, f, present::SESSION_ISSUER, b"userName", |d, s, f| {
                        d.string_field(s, f, Field::IssuerUserName)
                    })
                },
            ),
            6 => d.one_member(s, f, present::ON_BEHALF_OF, b"userId", |d, s, f| {
                d.string_field(s, f, Field::OnBehalfOfUserId)
            }),
            _ => d.string_field(s, f, Field::IdentityAccountId),
        })
    }

    /// An object-valued field of which one member is read: when the value is an object, `bit`
    /// is set in `f.present` and `each` reads `key`'s value; any other value reads as absent.
    fn one_member(
        &mut self,
        s: &mut C,
        f: &mut Fields,
        bit: u8,
        key: &'static [u8],
        mut each: impl FnMut(&mut Self, &mut C, &mut Fields) -> Scan<()>,
    ) -> Scan<()> {
        if Self::open_object(s)? {
            f.present |= bit;
            self.members(s, only(key), |d, s, _| each(d, s, f))?;
        }
        Ok(())
    }

    /// `requestParameters`, for the stream, its value at `pos`: the offset after it.
    #[inline(never)]
    fn request_parameters(&mut self, pos: usize, f: &mut Fields) -> Scan<usize> {
        let mut s = C::at(self.text.as_bytes(), pos);
        self.request_parameters_in(&mut s, f)?;
        Ok(s.offset())
    }

    /// [`Doc::request_parameters`] with the cursor in a local.
    #[inline(always)]
    fn request_parameters_in(&mut self, s: &mut C, f: &mut Fields) -> Scan<()> {
        // The `requestParameters` fields sit together in `Field`'s order.
        f.spans[Field::StreamName as usize..=Field::ResourceArn as usize].fill(Val::NONE);
        f.present &= !present::REQUEST_PARAMETERS;
        if !Self::open_object(s)? {
            return Ok(());
        }
        f.present |= present::REQUEST_PARAMETERS;
        const FIELDS: [Field; 4] = [
            Field::StreamName,
            Field::StreamArn,
            Field::ConsumerArn,
            Field::ResourceArn,
        ];
        let known = |key: &[u8]| match key.len() {
            10 if key == b"streamName" => Some(0),
            9 if key == b"streamARN" => Some(1),
            11 if key == b"consumerARN" => Some(2),
            11 if key == b"resourceARN" => Some(3),
            _ => None,
        };
        self.members(s, known, |d, s, i| d.string_field(s, f, FIELDS[i]))
    }

    /// `resources`: the `ARN` of its first entry, as `FirstResource` reads it (an array whose
    /// first entry is an object; any other value reads as absent), its value at `pos`: the
    /// offset after it.
    #[inline(never)]
    fn resources(&mut self, pos: usize, f: &mut Fields) -> Scan<usize> {
        let mut s = C::at(self.text.as_bytes(), pos);
        self.resources_in(&mut s, f)?;
        Ok(s.offset())
    }

    /// [`Doc::resources`] with the cursor in a local.
    #[inline(always)]
    fn resources_in(&mut self, s: &mut C, f: &mut Fields) -> Scan<()> {
        f.spans[Field::ResourcesArn as usize] = Val::NONE;
        f.present &= !present::RESOURCE;
        match s.peek() {
            Some(b'[') => s.advance(),
            Some(b'-' | b'0'..=b'9') | None => return Err(Bail),
            Some(_) => return s.skip_value(),
        }
        if s.eat(b']') {
            return Ok(());
        }
        // The first entry: an object is read, anything else skipped.
        if Self::open_object(s)? {
            f.present |= present::RESOURCE;
            self.members(s, only(b"ARN"), |d, s, _| {
                d.string_field(s, f, Field::ResourcesArn)
            })?;
        }
        while s.more(b']')? {
            s.skip_value()?;
        }
        Ok(())
    }
}

/// Reads `text` on the fast path and on the serde path and compares them: `Ok(true)` when the
/// fast path reads it exactly as serde does (the report, every record as the serde path builds
/// it, the record read again whole, and every field, user and stream as the panels read them;
/// records without `eventSource` are refused, so the places of skipped records are compared
/// too), `Ok(false)` when it left it to serde, `Err` saying how they differ otherwise. For the
/// tests and the `cloudtrail_paths` fuzz target.
#[doc(hidden)]
pub fn compare_with_serde(text: &str) -> Result<bool, String> {
    fn show(raw: &RawRecord<'_>, view: &impl Record) -> String {
        let fields: Vec<_> = Field::ALL.iter().map(|&f| view.get(f)).collect();
        let (user, stream, kind) = (view.user(), view.stream(), view.identity_type());
        // Every member the fast path reads; the capacity parameters of `requestParameters`
        // are not scanned (`health` reads them from the record read whole, compared apart).
        // Destructured whole, so a member added later is compared unless left out on purpose.
        let RawRecord {
            event_time,
            event_source,
            event_name,
            event_type,
            event_id,
            aws_region,
            source_ip,
            error_code,
            error_message,
            recipient_account_id,
            user_identity,
            request_parameters,
            resources,
        } = raw;
        let rp = request_parameters.as_ref().map(|p| {
            (
                &p.stream_name,
                &p.stream_arn,
                &p.consumer_arn,
                &p.resource_arn,
            )
        });
        format!(
            "{event_time:?} {event_source:?} {event_name:?} {event_type:?} {event_id:?} \
             {aws_region:?} {source_ip:?} {error_code:?} {error_message:?} \
             {recipient_account_id:?} {user_identity:?} {rp:?} {resources:?} {fields:?} {user} {stream} {kind}"
        )
    }
    #[derive(Default)]
    struct Shown(Vec<String>);
    fn verdict(view: &impl Record) -> Result<(), super::Skip> {
        match view.get(Field::EventSource) {
            Some(_) => Ok(()),
            None => Err(super::Skip::NoEventSource),
        }
    }
    impl RecordSink for Shown {
        fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), super::Skip> {
            self.0.push(show(rec, rec));
            // Whole, as `health` reads its change events on either path.
            self.0
                .push(format!("{:?}", rec.with_whole(|r| format!("{r:?}"))));
            verdict(rec)
        }
        fn fast_record(&mut self, rec: &FastRecord<'_>) -> Result<(), super::Skip> {
            self.0.push(show(&rec.to_raw(), rec));
            self.0
                .push(format!("{:?}", rec.with_whole(|r| format!("{r:?}"))));
            verdict(rec)
        }
    }
    let mut slow_recs = Shown::default();
    let slow = super::parse_document_serde(text, &mut slow_recs);
    let mut fast_recs = Shown::default();
    let Some(fast) = parse_document(text, &mut fast_recs) else {
        return Ok(false);
    };
    if (&fast, &fast_recs.0) != (&slow, &slow_recs.0) {
        return Err(format!(
            "fast and serde paths differ on {text:?}:\n{fast:?}\n{:?}\nvs\n{slow:?}\n{:?}",
            fast_recs.0, slow_recs.0
        ));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::FnSink;
    use super::*;

    /// The fast path either leaves `text` to serde or reads it exactly as serde does.
    fn agrees(text: &str) -> bool {
        compare_with_serde(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const RECORD: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"1","sessionContext":{"sessionIssuer":{"type":"Role","userName":"ingest-role"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-03-11T14:23:01Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","awsRegion":"us-west-2","sourceIPAddress":"10.0.0.1","userAgent":"\u001b]0;x\u0007 a\"b","errorCode":"Throttled","errorMessage":"Rate exceeded for \"s\"","requestParameters":{"streamName":"orders","partitionKey":"pk","data":[1,2.5,-3e4,true,false,null,{}]},"responseElements":null,"eventID":"e1","readOnly":true,"eventType":"AwsApiCall","onBehalfOf":{"userId":"x"}}"#;

    /// Each kind of place reads back as what it marks: an empty range is the empty string, not
    /// an absent one, and the first owned string is not confused with absence.
    #[test]
    fn places_read_back() {
        let text = r#"{"a":"","b":"xy"}"#;
        let owned = ["é".to_string(), "z".to_string()];
        let mut f = Fields::default();
        f.spans[Field::EventTime as usize] = Val::raw(6, 6);
        f.spans[Field::EventName as usize] = Val::raw(13, 15);
        f.spans[Field::SourceIp as usize] = Val::owned(0);
        f.spans[Field::ResourceArn as usize] = Val::owned(1);
        let r = FastRecord::new(&f, text, &owned);
        for field in Field::ALL {
            let want = match field {
                Field::EventTime => Some(""),
                Field::EventName => Some("xy"),
                Field::SourceIp => Some("é"),
                Field::ResourceArn => Some("z"),
                _ => None,
            };
            assert_eq!(r.get(field), want, "{field:?}");
        }
    }

    #[test]
    fn reads_the_common_layouts_itself() {
        let rec = RECORD;
        let cases = [
            format!(r#"{{"Records":[{rec},{rec}]}}"#),
            "\u{feff}{\"Records\":[]}".to_string(),
            format!("[{rec},\n{rec}]"),
            format!("{rec}\n{rec}\n"),
            format!("{rec}\r\n,{rec}"),
            format!("{rec}{rec}"),
            format!("  {rec}  "),
            format!(r#"{{"eventName":"outer","Records":[{rec}],"Records":[{rec}]}}"#),
            format!(r#"{{"Records":[{rec}]}}{{"Records":[{rec}]}}"#),
            format!(r#"{rec}{{"Records":[{rec}]}}"#),
            format!("[{rec}][{rec}]"),
            "{}".to_string(),
            "[]".to_string(),
            r#"{"eventName":" x\u0041 ","userIdentity":{"type":"Root","onBehalfOf":{"userId":"u"}},"requestParameters":{"streamARN":"arn:aws:kinesis:r:1:stream/s"}}"#.to_string(),
            r#"{"eventName":null,"userIdentity":"me","requestParameters":[1],"awsRegion":{"a":[{}]},"errorCode":true}"#.to_string(),
            r#"{"eventName":"A","eventName":["x"]}"#.to_string(),
            r#"{"userIdentity":{"type":"IAMUser"},"userIdentity":{"userName":"b"}}"#.to_string(),
            r#"{"userIdentity":{"sessionContext":null,"onBehalfOf":true}}"#.to_string(),
            r#"{"userIdentity":{"sessionContext":{"sessionIssuer":[],"x":1}}}"#.to_string(),
        ];
        for text in cases {
            assert!(agrees(&text), "bailed on {text}");
        }
    }

    /// A key chain expects the last two keys that followed a key, the one found last first,
    /// and finds nothing where neither is written (nor after `NONE`, nor past the keys).
    #[test]
    fn key_chain_expects_the_last_two_successors() {
        let pad = " ".repeat(KeyText::MAX);
        let text = format!(r#"{{"a":1,"b":2,"c":3{pad}"#);
        let at = |pos: usize| Bytes::at(text.as_bytes(), pos);
        let mut chain = KeyChain::default();
        let start = KeyChain::START;
        assert_eq!(chain.learn(start, b"a", Member::Str(Field::EventName)), 0);
        assert_eq!(chain.learn(start, b"b", Member::Other), 1);
        assert_eq!(chain.link(start).next, [1, 0]);
        // After `{`: `a`, the second expected, is found and becomes the first.
        let mut s = at(1);
        let found = chain.expected::<true, Bytes>(&mut s, start);
        assert!(matches!(found, Some((0, Member::Str(Field::EventName)))));
        assert_eq!((s.offset(), chain.link(start).next), (5, [0, 1]));
        // Nothing is known after `a`: `,"b":` is left to be read the long way.
        let mut s = at(6);
        assert!(chain.expected::<false, Bytes>(&mut s, 0).is_none());
        assert_eq!(s.offset(), 6);
        assert_eq!(chain.learn(0, b"b", Member::Other), 1);
        let found = chain.expected::<false, Bytes>(&mut s, 0);
        assert!(matches!(found, Some((1, Member::Other))));
        assert_eq!(s.offset(), 11);
        // A third key after `b` pushes out the older one; `c` is then the one found.
        assert_eq!(chain.learn(1, b"x", Member::Other), 2);
        assert_eq!(chain.learn(1, b"c", Member::Other), 3);
        assert_eq!(chain.link(1).next, [3, 2]);
        let mut s = at(12);
        assert!(matches!(
            chain.expected::<false, Bytes>(&mut s, 1),
            Some((3, Member::Other))
        ));
        assert_eq!(s.offset(), 17);
        // `NONE` and the places past the keys match no text.
        for prev in [KeyChain::NONE, 3, 40] {
            let mut s = at(6);
            assert!(chain.expected::<false, Bytes>(&mut s, prev).is_none());
            assert_eq!(s.offset(), 6);
        }
        // Keys too long or too many are not remembered.
        assert_eq!(
            chain.learn(3, &[b'k'; KeyText::MAX - 3], Member::Other),
            KeyChain::NONE
        );
        for i in 4..KeyChain::MAX {
            assert_eq!(
                chain.learn(3, format!("k{i}").as_bytes(), Member::Other),
                i as u8
            );
        }
        assert_eq!(chain.learn(3, b"one more", Member::Other), KeyChain::NONE);
        assert_eq!(chain.learn(3, b"k4", Member::Other), 4);
    }

    /// Records of three shapes in turn, so that the key after `eventName` is each of three
    /// in turn, and after `userIdentity` one of two, the whole way through.
    #[test]
    fn keys_in_three_orders_in_turn_read_as_serde_reads_them() {
        let records = [
            r#"{"eventName":"A","awsRegion":"r1","eventSource":"kinesis.amazonaws.com","userIdentity":{"type":"IAMUser"},"eventTime":"t1"}"#,
            r#"{"eventName":"B","errorCode":"E","awsRegion":"r2","eventSource":"s","userIdentity":{"type":"Root"},"errorMessage":"m"}"#,
            r#"{"eventName":"C","eventSource":"kinesis.amazonaws.com","awsRegion":"r3","userIdentity":null,"eventTime":"t3"}"#,
        ];
        let lines: Vec<&str> = (0..30).map(|i| records[i % 3]).collect();
        for text in [
            lines.join("\n"),
            format!(r#"{{"Records":[{}]}}"#, lines.join(",")),
        ] {
            assert!(agrees(&text), "left to serde: {text}");
            let mut names = Vec::new();
            let report = parse_document(
                &text,
                &mut FnSink(|r: &RawRecord<'_>| {
                    names.push(format!(
                        "{}{}",
                        r.event_name.0.as_deref().unwrap_or("-"),
                        r.aws_region.0.as_deref().unwrap_or("-")
                    ))
                }),
            );
            assert_eq!(report.map(|r| r.records), Some(30));
            assert_eq!(names[..4], ["Ar1", "Br2", "Cr3", "Ar1"]);
        }
    }

    /// Records whose keys come in other orders, other shapes, with keys that extend or cut
    /// short the ones before, with spaces, too long to remember or too many: the keys a record
    /// is expected to have after the ones before ([`KeyChain`]) are only a guess checked in
    /// full.
    #[test]
    fn keys_in_any_order_read_as_serde_reads_them() {
        let many: String = (0..70).map(|i| format!(r#""k{i}":{i},"#)).collect();
        let records = [
            RECORD.to_string(),
            r#"{"eventTime":"2024-03-11T14:23:02Z","eventName":"PutRecords","eventSource":"kinesis.amazonaws.com","awsRegion":"eu-west-1"}"#.to_string(),
            r#"{"eventTimeX":"x","eventTime":"2024-03-11T14:23:03Z","eventSource":"kinesis.amazonaws.com","eventNam":"y","eventName":"Z","awsRegio":"r"}"#.to_string(),
            r#"{"eventTime" :"t","eventSource": "s",  "eventName":"n" , "awsRegion":"a"}"#.to_string(),
            r#"{"aVeryLongKeyOfMoreThan21Bytes":"x","eventName":"n","recipientAccountIdX":"1","recipientAccountId":"2","eventSource":"kinesis.amazonaws.com"}"#.to_string(),
            format!(r#"{{{many}"eventName":"after many","eventSource":"e"}}"#),
            r#"{"eventName":"a","eventName":"b","eventSource":"s","eventName":"c"}"#.to_string(),
            r#"{"":"","eventName":"","eventSource":""}"#.to_string(),
        ];
        let order = [0, 1, 0, 2, 2, 3, 0, 4, 5, 5, 0, 6, 1, 7, 7, 0, 4, 4, 3, 0];
        let lines: Vec<&str> = order.iter().map(|&i| records[i].as_str()).collect();
        for text in [
            lines.join("\n"),
            format!(r#"{{"Records":[{}]}}"#, lines.join(",")),
        ] {
            assert!(agrees(&text), "left to serde: {text}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde() {
        let cases = [
            "",
            " \n ",
            "42",
            r#"{"Records":null}"#,
            r#"{"Records":[1]}"#,
            r#"{"Records":{}}"#,
            r#"{"Events":[]}"#,
            r#"{"digestStartTime":"x"}"#,
            r#"{"messageType":"DATA_MESSAGE","logEvents":[]}"#,
            r#"{"eventName":"a"}{"owner":"1","logEvents":[]}"#,
            r#"{"events":[],"nextForwardToken":"f"}"#,
            r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{}}"#,
            r#"{"detail":{"eventName":"a"}}"#,
            "2024-03-09T10:00:00.000Z {}",
            r#"{"eventName":5}"#,
            r#"{"eventName":1e999}"#,
            r#"{"userIdentity":1}"#,
            r#"{"userIdentity":{"onBehalfOf":7.5e1000}}"#,
            r#"{"userIdentity":{"type":"a","type":"b"}}"#,
            r#"{"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":"a","userName":"b"}}}}"#,
            r#"{"requestParameters":{"streamName":"a","streamName":"b"}}"#,
            r#"{"event\u004eame":"x"}"#,
            r#"{"eventName":"\ud800"}"#,
            r#"{"eventName":"a"} x"#,
            r#"{"eventName":"a"} 5"#,
            r#"{"eventName":"a",}"#,
            r#"{"eventName":"a""#,
            "{\"eventName\":\"tab\there\"}",
        ];
        for text in cases {
            assert!(!agrees(text), "fast path read {text:?}");
        }
    }

    #[test]
    fn every_fixture_reads_the_same_on_both_paths() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut loader = crate::input::decode::Loader::default();
        let (mut files, mut fast) = (0, 0);
        let sample = root.join("cloudtrail").join("AWSLogs");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let Ok(loaded) = loader.load_bytes(&bytes, 1 << 30) else {
                    continue;
                };
                let read = agrees(loaded.into_text().text);
                if path.starts_with(&sample) {
                    files += 1;
                    fast += usize::from(read);
                }
            }
        }
        // The S3 sample is mostly clean deliveries (the rest digests and Insights): the fast
        // path must be what reads it.
        assert!(
            files > 50 && fast * 2 > files,
            "{fast} of {files} on the fast path"
        );
    }

    #[test]
    fn long_documents_are_checked_then_read_again() {
        let n = BUFFERED_RECORDS + 10;
        let line = |i: usize| {
            format!(
                r#"{{"eventName":"N\u0041{i}","eventTime":"t","userIdentity":{{"userName":"u{}"}}}}"#,
                i % 7
            )
        };
        let lines: Vec<String> = (0..n).map(line).collect();
        let envelope = format!(r#"{{"Records":[{}]}}"#, lines.join(","));
        let json_lines = lines.join("\n");
        for text in [&envelope, &json_lines] {
            assert!(agrees(text), "left to serde");
            let report = parse_document(text, &mut FnSink(|_: &RawRecord<'_>| {}));
            assert_eq!(report.map(|r| r.records), Some(n as u64));
        }
        // Damage after the buffer filled: nothing may reach the sink twice.
        let damaged = format!("{json_lines}\n{{\"eventName\": oops}}\n{}", line(0));
        let mut seen = 0;
        let report =
            super::super::parse_document(&damaged, &mut FnSink(|_: &RawRecord<'_>| seen += 1));
        assert_eq!((seen, report.records), (n + 1, n as u64 + 1));
        assert_eq!(report.damage.len(), 1);
    }

    /// Damaged documents: the fast path may only accept what serde reads the same way.
    #[test]
    fn mutations_never_make_the_paths_differ() {
        let doc = format!(
            r#"{{"Records":[{RECORD},{{"eventName":"B","userIdentity":{{"userName":"u\"1"}},"requestParameters":{{"streamARN":"arn:x:stream/s"}}}}]}}"#
        );
        let bytes = doc.as_bytes();
        const PIECES: [&str; 16] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "0",
            "-",
            "e",
            "1e999",
            " ",
            "\u{1}",
            "null",
            "\"userIdentity\":",
        ];
        let (mut accepted, mut tried) = (0, 0);
        for text in crate::input::scan::mutations(bytes, &PIECES, 20_000) {
            let text = text.as_str();
            tried += 1;
            accepted += usize::from(agrees(text));
        }
        // Many mutations land in skipped strings and stay valid; both kinds must occur.
        assert!(accepted > 1000 && accepted < tried, "{accepted} of {tried}");
    }
}
