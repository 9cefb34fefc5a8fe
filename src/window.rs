//! Time: parsing CloudTrail timestamps and user-given times, the `[since, until)` window, and the
//! UTC-aligned buckets of the over-time panels.
//!
//! Every instant is an `i64` count of milliseconds since the Unix epoch, in UTC. The event-time
//! parser is hand-written because it runs once per record and must accept the variants real
//! dumps carry (`Z`, `+00:00`, `+0000`, fractional seconds), which chrono's RFC 3339 parser
//! does not all accept.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use thiserror::Error;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

const MS_PER_SEC: i64 = 1000;

/// The earliest instant an input may carry: 1970-01-01T00:00:00Z. CloudTrail and CloudWatch
/// never wrote earlier times; a record that carries one is damaged and is skipped.
pub const FIRST_TIME: Millis = 0;

/// The first instant past the latest an input may carry: 10000-01-01T00:00:00Z (after the last
/// time a four-digit year can write). With every time inside these bounds, bucket arithmetic
/// cannot overflow.
pub const END_TIME: Millis = 253_402_300_800_000;

/// The longest duration or bucket width accepted: 9,999 years of 365.25 days, so that a time
/// plus or minus one stays far inside `i64`.
pub const MAX_DURATION: Millis = 9_999 * 36_525 * 864_000;

/// True when `t` is a time an input may carry (years 1970 to 9999).
#[inline]
pub fn in_range(t: Millis) -> bool {
    (FIRST_TIME..END_TIME).contains(&t)
}

/// An input time given as a number of milliseconds since the epoch (Metric Streams'
/// `timestamp`): `None` unless it is finite and in the years 1970 to 9999. The check comes
/// before the conversion, so no value (`1e300`, `-1e300`, NaN) is ever cast out of range.
pub fn time_from_epoch_millis(ms: f64) -> Option<Millis> {
    // Both bounds are exact in f64, so the comparison is exact.
    (ms >= FIRST_TIME as f64 && ms < END_TIME as f64).then(|| ms.floor() as Millis)
}

/// What to call a time outside the accepted range, for warnings.
pub const RANGE_WORDS: &str = "outside the years 1970 to 9999";

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// The days from 1970-01-01 to `date`, `YYYY-MM-DD` (`None` unless it is a real date). The
/// last date read on this thread is remembered: the records of a file, and the datapoints of a
/// piece of an export, come from a few minutes, so nearly every call finds it.
fn civil_days(date: &[u8]) -> Option<i64> {
    thread_local! {
        /// The last date read and its days (the text is never all zero bytes, so the first
        /// call reads its date).
        static LAST: std::cell::Cell<([u8; 10], i64)> = const { std::cell::Cell::new(([0; 10], 0)) };
    }
    let text: [u8; 10] = date.try_into().ok()?;
    let (last, days) = LAST.get();
    if last == text {
        return Some(days);
    }
    if text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let year = i64::from(digits(&text[0..4])?);
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    LAST.set((text, days));
    Some(days)
}

/// Parses a CloudTrail `eventTime`: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then
/// `Z`, `±HH:MM`, `±HHMM` or nothing (taken as UTC). A space may stand for the `T`.
/// Returns `None` for anything else, including impossible dates.
#[inline]
pub fn parse_event_time(s: &str) -> Option<Millis> {
    // What nearly every record has, `YYYY-MM-DDTHH:MM:SSZ` in the hour of the time read before
    // (a file's records come from a few minutes): minutes and seconds are read, the rest is
    // the memo's. Any other text goes the long way, which reads the same.
    if let Ok(b) = <&[u8; 20]>::try_from(s.as_bytes())
        && (b[13], b[16], b[19]) == (b':', b':', b'Z')
    {
        let (m0, m1, hour) = HOUR.get();
        if (word(b, 0), word(b, 5)) == (m0, m1)
            && let (Some(minute), Some(second)) = (pair(b, 14), pair(b, 17))
            && minute <= 59
            && second <= 60
        {
            return Some((hour + minute * 60 + second) * MS_PER_SEC);
        }
    }
    parse_event_time_long(s)
}

thread_local! {
    /// The hour (`YYYY-MM-DDTHH`) of the last time read the short way, as its first 13
    /// bytes in two overlapping words, and its first second since the epoch. Bytes 0xFF
    /// (never in UTF-8) before the first.
    static HOUR: std::cell::Cell<(u64, u64, i64)> =
        const { std::cell::Cell::new((u64::MAX, u64::MAX, 0)) };
}

/// The 8 bytes of `b` at `at`, as a number.
#[inline(always)]
fn word(b: &[u8; 20], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

/// [`parse_event_time`] of a text not in the hour read before, or of another form.
#[inline(never)]
fn parse_event_time_long(s: &str) -> Option<Millis> {
    // `YYYY-MM-DDTHH:MM:SSZ`: its hour is read and remembered, then minutes and seconds.
    if let Ok(b) = <&[u8; 20]>::try_from(s.as_bytes())
        && (b[13], b[16], b[19]) == (b':', b':', b'Z')
    {
        let (w0, w1) = (word(b, 0), word(b, 5));
        let (m0, m1, hour) = HOUR.get();
        let hour = if (w0, w1) == (m0, m1) {
            Some(hour)
        } else if (b[4], b[7], b[10]) == (b'-', b'-', b'T') {
            civil_days(&b[..10])
                .zip(pair(b, 11).filter(|&h| h <= 23))
                .map(|(days, h)| {
                    let hour = days * 86_400 + h * 3600;
                    HOUR.set((w0, w1, hour));
                    hour
                })
        } else {
            None
        };
        if let (Some(hour), Some(minute), Some(second)) = (hour, pair(b, 14), pair(b, 17))
            && minute <= 59
            && second <= 60
        {
            return Some((hour + minute * 60 + second) * MS_PER_SEC);
        }
    }
    parse_event_time_general(s)
}

/// The two-digit number at `b[i..i + 2]`; `None` unless both are digits.
#[inline(always)]
fn pair(b: &[u8], i: usize) -> Option<i64> {
    let (tens, ones) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
    (tens < 10 && ones < 10).then_some(i64::from(tens) * 10 + i64::from(ones))
}

/// [`parse_event_time`] of any form.
fn parse_event_time_general(s: &str) -> Option<Millis> {
    // `str::trim`, with a shortcut for what nearly every value is: no space at either end.
    let b = match s.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s.as_bytes(),
        _ => s.trim().as_bytes(),
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let days = civil_days(&b[..10])?;
    let hour = i64::from(digits(&b[11..13])?);
    let minute = i64::from(digits(&b[14..16])?);
    let second = i64::from(digits(&b[17..19])?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        // Milliseconds from the first three digits; finer digits are truncated.
        for i in 0..3 {
            millis = millis * 10
                + frac
                    .get(i)
                    .filter(|_| i < n)
                    .map_or(0, |d| i64::from(d - b'0'));
        }
        rest = &frac[n..];
    }
    let offset_secs = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = i64::from(digits(&[*h1, *h2])?);
            let m = i64::from(digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 3600 + m * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * MS_PER_SEC + millis)
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SSZ` (sub-second part dropped), the time format of
/// every CSV and JSON output.
pub fn format_time(t: Millis) -> String {
    let mut out = Vec::with_capacity(20);
    push_time(&mut out, t);
    // Only ASCII (digits, separators, a sign) or chrono's text was written.
    String::from_utf8(out).unwrap_or_default()
}

/// Formats an instant as [`format_time`] does, with its milliseconds (`.250Z`) when it has a
/// fraction of a second: the bounds of a window, which are reported as the instants applied
/// (a `--since` of `1500ms`, or given with a fraction, would otherwise read a second early).
pub fn format_instant(t: Millis) -> String {
    let mut s = format_time(t);
    let ms = t.rem_euclid(MS_PER_SEC);
    if ms != 0 && s.ends_with('Z') {
        s.insert_str(s.len() - 1, &format!(".{ms:03}"));
    }
    s
}

/// Appends `t` as [`format_time`] writes it, as bytes (a CSV is written as bytes, and a
/// metrics CSV has a time on each of its many rows).
pub fn push_time(out: &mut Vec<u8>, t: Millis) {
    use chrono::Datelike;
    // The instants of years 0000 to 9999, which are written digit by digit: interpreting a
    // pattern (strftime's, or format!'s) each time was a tenth of the output's cost. Rows come
    // in runs of one day, so the date is worked out once a day and thread.
    const FIRST: Millis = -62_167_219_200_000; // 0000-01-01T00:00:00Z
    const LAST: Millis = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    thread_local! {
        static DAY: std::cell::Cell<(i64, [u8; 10])> = const { std::cell::Cell::new((i64::MIN, [0; 10])) };
    }
    if !(FIRST..=LAST).contains(&t) {
        let text = match DateTime::<Utc>::from_timestamp_millis(t) {
            // Years that need a sign or a fifth digit, as chrono writes them.
            Some(dt) => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            None => format!("@{t}ms"),
        };
        out.extend_from_slice(text.as_bytes());
        return;
    }
    /// `00` to `99`, two bytes each.
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let pair = |v: u32| {
        let i = 2 * (v as usize % 100);
        [PAIRS[i], PAIRS[i + 1]]
    };
    let secs = t.div_euclid(MS_PER_SEC);
    let (day, second) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u32);
    let date = DAY.with(|cached| match cached.get() {
        (d, date) if d == day => date,
        _ => {
            let mut date = *b"0000-00-00";
            // In range: the day is one chrono has.
            if let Some(dt) = DateTime::<Utc>::from_timestamp(day * 86_400, 0) {
                let year = dt.year() as u32;
                date[0..2].copy_from_slice(&pair(year / 100));
                date[2..4].copy_from_slice(&pair(year));
                date[5..7].copy_from_slice(&pair(dt.month()));
                date[8..10].copy_from_slice(&pair(dt.day()));
            }
            cached.set((day, date));
            date
        }
    });
    let mut b = *b"0000-00-00T00:00:00Z";
    b[..10].copy_from_slice(&date);
    b[11..13].copy_from_slice(&pair(second / 3600));
    b[14..16].copy_from_slice(&pair(second / 60 % 60));
    b[17..19].copy_from_slice(&pair(second % 60));
    out.extend_from_slice(&b);
}

/// Start of the bucket of width `width` (aligned to UTC multiples of it) that contains `t`.
#[inline]
pub fn bucket_start(t: Millis, width: Millis) -> Millis {
    t.div_euclid(width) * width
}

/// Why a `--since`/`--until`/duration argument was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TimeArgError {
    /// Neither a duration nor a timestamp.
    #[error(
        "'{0}' is neither a duration (like 24h, 90m, 7d) nor a time (like 2024-03-09, \
         2024-03-09T10:00:00Z)"
    )]
    Unrecognised(String),
    /// Not a duration, where only a duration fits (`--bucket`, `--period`).
    #[error("'{0}' is not a duration (like 1h, 15m, 90s or 1d)")]
    NotADuration(String),
    /// A duration that is zero, where a positive one is needed.
    #[error("'{0}' is not a positive duration (try 1h, 5m or 1d)")]
    NotPositive(String),
    /// A bucket width with a fraction of a second.
    #[error("'{0}' is not a whole number of seconds (buckets are 1s or longer: 1m, 15m, 1h)")]
    NotWholeSeconds(String),
    /// A duration longer than [`MAX_DURATION`].
    #[error("'{0}' is longer than 9999 years")]
    TooLong(String),
}

/// A point in time as the user gave it on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// A fixed instant.
    At(Millis),
    /// This long before the anchor (now, or the newest event in the input).
    Ago(Millis),
}

impl TimeSpec {
    /// The instant this spec means, counting durations back from `anchor`.
    pub fn resolve(self, anchor: Millis) -> Millis {
        match self {
            TimeSpec::At(t) => t,
            TimeSpec::Ago(d) => anchor.saturating_sub(d),
        }
    }
}

/// Parses a duration such as `24h`, `90m`, `7d`, `1h30m` or `45s` into milliseconds.
pub fn parse_duration(s: &str) -> Result<Millis, TimeArgError> {
    let d: Duration = humantime::parse_duration(s.trim())
        .map_err(|_| TimeArgError::NotADuration(s.to_string()))?;
    let ms = i64::try_from(d.as_millis()).map_err(|_| TimeArgError::TooLong(s.to_string()))?;
    if ms <= 0 {
        return Err(TimeArgError::NotPositive(s.to_string()));
    }
    if ms > MAX_DURATION {
        return Err(TimeArgError::TooLong(s.to_string()));
    }
    Ok(ms)
}

/// A duration as a user would type it: the largest of `d`, `h`, `m`, `s` and `ms` that
/// divides it (`1d`, `90m`, `90s`, `1500ms`), so it reads back with [`parse_duration`].
pub fn format_duration(ms: Millis) -> String {
    const UNITS: [(Millis, &str); 4] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (MS_PER_SEC, "s"),
    ];
    match UNITS.iter().find(|(u, _)| ms != 0 && ms % u == 0) {
        Some((u, name)) => format!("{}{name}", ms / u),
        None => format!("{ms}ms"),
    }
}

/// Parses a bucket or period width: a positive duration of whole seconds.
pub fn parse_width(s: &str) -> Result<Millis, TimeArgError> {
    let ms = parse_duration(s)?;
    if ms % MS_PER_SEC != 0 {
        return Err(TimeArgError::NotWholeSeconds(s.to_string()));
    }
    Ok(ms)
}

/// Parses a `--since`/`--until` value: a duration (counted back from an anchor), an RFC 3339
/// time, `YYYY-MM-DDTHH:MM[:SS]` (UTC) or a date `YYYY-MM-DD` (its midnight, UTC).
pub fn parse_time_spec(s: &str) -> Result<TimeSpec, TimeArgError> {
    let t = s.trim();
    if let Some(ms) = parse_event_time(t) {
        return Ok(TimeSpec::At(ms));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(TimeSpec::At(dt.timestamp_millis()));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(TimeSpec::At(dt.and_utc().timestamp_millis()));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(TimeSpec::At(midnight.and_utc().timestamp_millis()));
    }
    match parse_duration(t) {
        Ok(ms) => Ok(TimeSpec::Ago(ms)),
        Err(TimeArgError::NotPositive(x)) => Err(TimeArgError::NotPositive(x)),
        Err(TimeArgError::TooLong(x)) => Err(TimeArgError::TooLong(x)),
        Err(_) => Err(TimeArgError::Unrecognised(s.to_string())),
    }
}

/// What durations in `--since`/`--until` count back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    /// The current time.
    #[default]
    Now,
    /// The newest Kinesis event in the input (so `--since 24h` on an old dump shows its last day).
    Latest,
}

/// The user's window before it is resolved against an anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowSpec {
    /// Inclusive start.
    pub since: Option<TimeSpec>,
    /// Exclusive end.
    pub until: Option<TimeSpec>,
    /// What durations count back from.
    pub anchor: Anchor,
}

impl WindowSpec {
    /// True when resolving the window needs the newest event of the input (a first pass).
    pub fn needs_latest(&self) -> bool {
        self.anchor == Anchor::Latest
            && [self.since, self.until]
                .iter()
                .any(|s| matches!(s, Some(TimeSpec::Ago(_))))
    }

    /// Resolves durations against `anchor_time`.
    pub fn resolve(&self, anchor_time: Millis) -> Window {
        Window {
            since: self.since.map(|s| s.resolve(anchor_time)),
            until: self.until.map(|s| s.resolve(anchor_time)),
        }
    }
}

/// A resolved window `[since, until)`; a missing bound is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub since: Option<Millis>,
    /// Exclusive end.
    pub until: Option<Millis>,
}

impl Window {
    /// Whether `t` falls inside the window.
    #[inline]
    pub fn contains(&self, t: Millis) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }

    /// True when neither bound is set.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

/// Widens an inclusive `(first, last)` range to cover `t`.
#[inline]
pub fn widen_range(range: &mut Option<(Millis, Millis)>, t: Millis) {
    *range = Some(match *range {
        None => (t, t),
        Some((a, b)) => (a.min(t), b.max(t)),
    });
}

/// The smallest range covering both.
pub fn union_range(
    a: Option<(Millis, Millis)>,
    b: Option<(Millis, Millis)>,
) -> Option<(Millis, Millis)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (x, None) | (None, x) => x,
    }
}

/// The current time, cut to the whole second: durations count back from it to a window that
/// is written exactly as it is applied (`window_since` without a fraction).
pub fn now() -> Millis {
    Utc::now().timestamp().saturating_mul(MS_PER_SEC)
}

/// Periods the default picks from, in seconds; each divides the next, so buckets of one can be
/// merged exactly into buckets of any later one.
const PERIODS: [i64; 10] = [
    60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800,
];

/// Most buckets the default period gives over the covered range.
pub const MAX_AUTO_BUCKETS: i64 = 300;

/// The default period: the shortest of 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d, 7d that covers
/// `range` (inclusive instants) in at most [`MAX_AUTO_BUCKETS`] buckets.
pub fn auto_period(range: Option<(Millis, Millis)>) -> Millis {
    let Some((first, last)) = range else {
        return PERIODS[0] * 1000;
    };
    for p in PERIODS {
        let width = p * 1000;
        let buckets = (bucket_start(last, width) - bucket_start(first, width)) / width + 1;
        if buckets <= MAX_AUTO_BUCKETS {
            return width;
        }
    }
    PERIODS[PERIODS.len() - 1] * 1000
}

/// The shortest default period (see [`auto_period`]) that is at least `spacing`, so that data
/// reported every 30 minutes is not shown in 1-minute buckets, most of them empty.
pub fn period_at_least(spacing: Millis) -> Millis {
    PERIODS
        .iter()
        .map(|p| p * 1000)
        .find(|&w| w >= spacing)
        .unwrap_or(PERIODS[PERIODS.len() - 1] * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Millis = 1_709_978_400_000; // 2024-03-09T10:00:00Z

    #[test]
    fn event_time_variants() {
        let cases = [
            ("2024-03-09T10:00:00Z", Some(T)),
            ("2024-03-09T10:00:00.123Z", Some(T + 123)),
            ("2024-03-09T10:00:00.1Z", Some(T + 100)),
            ("2024-03-09T10:00:00.123456789Z", Some(T + 123)),
            ("2024-03-09T10:00:00+00:00", Some(T)),
            ("2024-03-09T10:00:00+0000", Some(T)),
            ("2024-03-09T10:00:00", Some(T)),
            ("2024-03-09 10:00:00Z", Some(T)),
            (" 2024-03-09T10:00:00Z ", Some(T)),
            ("2024-03-09T12:00:00+02:00", Some(T)),
            ("2024-03-09T02:00:00-08:00", Some(T)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2017-11-01T21:23:30+0000", Some(1_509_571_410_000)),
            ("2024-02-29T00:00:00Z", Some(1_709_164_800_000)),
            ("2023-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-03-09T24:00:00Z", None),
            ("2024-03-09T10:00:00.Z", None),
            ("2024-03-09T10:00:00+2", None),
            ("2024-03-09", None),
            ("", None),
            ("not a time at all!!", None),
            ("２０２４-03-09T10:00:00Z", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_event_time(input), want, "{input:?}");
        }
    }

    /// The short way for `YYYY-MM-DDTHH:MM:SSZ` reads what the general one reads: every byte of
    /// such texts replaced in turn by bytes that matter (digits at the edges of each field, the
    /// separators, letters, a space).
    #[test]
    fn short_way_agrees_with_the_general_one() {
        let bases = [
            "2024-03-09T10:00:00Z",
            "2024-02-29T23:59:60Z",
            "1999-12-31T00:09:59Z",
        ];
        // Each text with one byte replaced, with the base it came from.
        let mut mutated = Vec::new();
        for base in bases {
            for at in 0..base.len() {
                for c in b"0125699:-TtZz +.x".iter() {
                    let mut b = base.as_bytes().to_vec();
                    b[at] = *c;
                    mutated.push((base, String::from_utf8(b).unwrap()));
                }
            }
        }
        assert_eq!(mutated.len(), 3 * 20 * 17);
        for (base, t) in &mutated {
            // Read alone, after a valid time of the same hour (the memo set), and after an
            // invalid one.
            assert_eq!(parse_event_time(t), parse_event_time_general(t), "{t}");
            for before in [*base, "2024-03-09T10:00:0xZ"] {
                let _ = parse_event_time(before);
                assert_eq!(parse_event_time(t), parse_event_time_general(t), "{t}");
            }
        }
    }

    /// The remembered date is only ever a date read and checked: dates in runs, back and forth,
    /// and impossible ones between them, each parsed as chrono parses them.
    #[test]
    fn event_times_in_runs_agree_with_chrono() {
        let texts = [
            "2024-03-09T10:00:00Z",
            "2024-03-09T23:59:59Z",
            "2024-03-10T00:00:00Z",
            "2024-03-09T00:00:01Z",
            "2023-02-29T00:00:00Z",
            "2024-02-29T12:00:00Z",
            "2024-02-30T12:00:00Z",
            "2024-02-29T13:00:00Z",
            "2024-02-2xT13:00:00Z",
            "1969-12-31T23:59:59Z",
            "1969-12-31T24:00:00Z",
            "1969-12-31T00:00:00+01:00",
            "2024-03-09T10:00:00Z",
        ];
        for round in 0..2 {
            for t in texts.iter().skip(round) {
                let want = DateTime::parse_from_rfc3339(t)
                    .ok()
                    .map(|d| d.timestamp_millis());
                assert_eq!(parse_event_time(t), want, "{t}");
            }
        }
    }

    #[test]
    fn event_time_agrees_with_chrono() {
        // A second, independent computation over many instants.
        for secs in (-86_400 * 800..86_400 * 20_000).step_by(86_400 * 7 + 3_607) {
            let dt = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let s = dt.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            assert_eq!(parse_event_time(&s), Some(secs * 1000), "{s}");
            assert_eq!(format_time(secs * 1000), s);
        }
        // The years at the edges of four digits, and a leap second's neighbours.
        for secs in [
            -62_167_219_200,
            -62_167_219_201,
            253_402_300_799,
            253_402_300_800,
            -99_999_999_999,
            951_782_399,
            951_782_400,
        ] {
            let dt = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let s = dt.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            assert_eq!(format_time(secs * 1000 + 999), s);
        }
        // Runs within a day, and back and forth across midnights and the epoch (the date is
        // kept per day), with millisecond parts on both sides of zero.
        let mut instants = vec![-1, -999, -1_000, -86_400_000, 0, 86_399_999, 86_400_000, -1];
        instants.extend((1_709_900_000_000..1_710_200_000_000).step_by(61_001));
        instants.extend([
            1_710_086_399_999,
            1_710_000_000_123,
            1_710_086_400_000,
            -62_167_219_200_000,
        ]);
        for ms in instants {
            let dt = DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
            assert_eq!(
                format_time(ms),
                dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "{ms}"
            );
        }
    }

    #[test]
    fn an_instant_keeps_its_milliseconds_and_reads_back() {
        // chrono's `%.3f` writes the fraction; whole seconds are written as format_time does.
        for ms in [
            0,
            1_500,
            -1,
            -999,
            1_710_000_000_123,
            1_710_000_060_000,
            253_402_300_799_999,
        ] {
            let dt = DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
            let want = if ms % 1000 == 0 {
                dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            };
            assert_eq!(format_instant(ms), want, "{ms}");
            assert_eq!(parse_time_spec(&want), Ok(TimeSpec::At(ms)), "{want}");
        }
    }

    #[test]
    fn time_specs() {
        assert_eq!(parse_time_spec("24h"), Ok(TimeSpec::Ago(86_400_000)));
        assert_eq!(parse_time_spec("90m"), Ok(TimeSpec::Ago(5_400_000)));
        assert_eq!(parse_time_spec("7d"), Ok(TimeSpec::Ago(604_800_000)));
        assert_eq!(parse_time_spec("1h30m"), Ok(TimeSpec::Ago(5_400_000)));
        assert_eq!(
            parse_time_spec("2024-03-09"),
            Ok(TimeSpec::At(T - 10 * 3_600_000))
        );
        assert_eq!(parse_time_spec("2024-03-09T10:00:00Z"), Ok(TimeSpec::At(T)));
        assert_eq!(parse_time_spec("2024-03-09T10:00"), Ok(TimeSpec::At(T)));
        assert_eq!(
            parse_time_spec("2024-03-09T11:00:00+01:00"),
            Ok(TimeSpec::At(T))
        );
        assert!(matches!(
            parse_time_spec("yesterday"),
            Err(TimeArgError::Unrecognised(_))
        ));
        assert!(matches!(
            parse_time_spec("0s"),
            Err(TimeArgError::NotPositive(_))
        ));
        assert_eq!(
            parse_width("1500ms"),
            Err(TimeArgError::NotWholeSeconds("1500ms".into()))
        );
        // Where only a duration fits, the error does not suggest a time.
        let e = parse_width("2024-03-09").unwrap_err();
        assert_eq!(e, TimeArgError::NotADuration("2024-03-09".into()));
        assert_eq!(
            e.to_string(),
            "'2024-03-09' is not a duration (like 1h, 15m, 90s or 1d)"
        );
        assert!(matches!(
            parse_time_spec("2024-13-45"),
            Err(TimeArgError::Unrecognised(_))
        ));
        assert_eq!(parse_width("5m"), Ok(300_000));
    }

    #[test]
    fn durations_read_as_typed() {
        let cases = [
            ("1d", "1d"),
            ("7d", "7d"),
            ("90s", "90s"),
            ("1h", "1h"),
            ("1h30m", "90m"),
            ("15m", "15m"),
            ("36h", "36h"),
            ("1500ms", "1500ms"),
        ];
        for (typed, shown) in cases {
            let ms = parse_duration(typed).unwrap();
            assert_eq!(format_duration(ms), shown, "{typed}");
            assert_eq!(parse_duration(shown), Ok(ms));
        }
    }

    #[test]
    fn window_bounds() {
        let w = Window {
            since: Some(10),
            until: Some(20),
        };
        assert!(!w.contains(9));
        assert!(w.contains(10));
        assert!(w.contains(19));
        assert!(!w.contains(20));
        assert!(Window::default().contains(i64::MIN));
        let spec = WindowSpec {
            since: Some(TimeSpec::Ago(5)),
            until: None,
            anchor: Anchor::Latest,
        };
        assert!(spec.needs_latest());
        assert_eq!(
            spec.resolve(100),
            Window {
                since: Some(95),
                until: None
            }
        );
    }

    #[test]
    fn input_times_are_years_1970_to_9999() {
        // 10000-01-01T00:00:00Z, computed independently by chrono.
        let end = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(END_TIME, end);
        let cases = [
            (0.0, Some(0)),
            (1_709_978_400_123.9, Some(1_709_978_400_123)),
            ((end - 1) as f64, Some(end - 1)),
            (end as f64, None),
            (-1.0, None),
            (-0.5, None),
            (1e300, None),
            (-1e300, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
        ];
        for (ms, want) in cases {
            assert_eq!(time_from_epoch_millis(ms), want, "{ms}");
        }
        assert!(!in_range(parse_event_time("1969-12-31T23:59:59Z").unwrap()));
        assert!(!in_range(
            parse_event_time("1970-01-01T00:30:00+01:00").unwrap()
        ));
        assert!(in_range(parse_event_time("9999-12-31T23:59:59Z").unwrap()));
        assert!(!in_range(
            parse_event_time("9999-12-31T23:59:59-01:00").unwrap()
        ));
        assert_eq!(
            parse_duration("9999y"),
            Ok(9_999 * 31_557_600_000),
            "humantime's year is 365.25 days"
        );
        assert!(matches!(
            parse_duration("10000y"),
            Err(TimeArgError::TooLong(_))
        ));
        assert_eq!(TimeSpec::Ago(5).resolve(i64::MIN + 1), i64::MIN);
    }

    #[test]
    fn buckets_align_to_utc_multiples() {
        assert_eq!(bucket_start(T + 1_234_567, 3_600_000), T);
        assert_eq!(bucket_start(-1, 1000), -1000);
        assert_eq!(bucket_start(T + 59_999, 60_000), T);
    }

    #[test]
    fn auto_period_keeps_buckets_few() {
        let h = 3_600_000;
        assert_eq!(auto_period(None), 60_000);
        assert_eq!(auto_period(Some((0, h - 1))), 60_000);
        assert_eq!(auto_period(Some((0, 5 * h - 1))), 60_000); // 300 minutes
        assert_eq!(auto_period(Some((0, 5 * h))), 300_000); // 301 minutes
        assert_eq!(auto_period(Some((0, 24 * h - 1))), 300_000); // 288 buckets of 5m
        assert_eq!(auto_period(Some((0, 2 * 24 * h - 1))), 900_000); // 192 of 15m
        assert_eq!(auto_period(Some((0, 400 * 24 * h))), 604_800_000);
    }

    #[test]
    fn period_is_never_finer_than_the_spacing() {
        assert_eq!(period_at_least(60_000), 60_000);
        assert_eq!(period_at_least(1_800_000), 1_800_000);
        assert_eq!(period_at_least(120_000), 300_000);
        assert_eq!(period_at_least(1), 60_000);
        assert_eq!(period_at_least(30 * 86_400_000), 604_800_000);
    }
}
