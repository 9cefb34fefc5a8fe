//! CloudTrail records: the borrowed record model, the layouts a dump comes in, and the rules that
//! turn a raw record into the fields the panels group by (trimming, the `user` rule, the stream).
//!
//! A document is read by [`parse_document`], the one dispatcher: the fast path ([`fast`]) reads
//! the clean common layouts, and whatever it leaves is read by the serde path ([`parse`]), which
//! also reads the envelopes other pipelines wrap CloudTrail in and recovers from damage. Both
//! share the types here: the [`RecordSink`] records go to, the [`DocReport`] they return, the
//! [`Skip`] reasons and the [`Envelope`] keys that tell an envelope from a record.

pub mod fast;
pub mod parse;
pub mod reader;

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

pub use crate::input::json::Damage;
use crate::input::lenient::{Arr, Num, Obj, Str};
use crate::window::{Millis, in_range, parse_event_time};
use fast::FastRecord;

/// The `eventSource` of Kinesis Data Streams.
pub const KINESIS_SOURCE: &str = "kinesis.amazonaws.com";

/// The fields of one CloudTrail record that any panel needs, borrowed from the input buffer
/// where the JSON has no escapes. Fields of the wrong JSON type read as absent.
#[derive(Debug, Default)]
pub struct RawRecord<'a> {
    /// `eventTime`.
    pub event_time: Str<'a>,
    /// `eventSource`.
    pub event_source: Str<'a>,
    /// `eventName`.
    pub event_name: Str<'a>,
    /// `eventType` (used to tell Insights events apart).
    pub event_type: Str<'a>,
    /// `eventID`.
    pub event_id: Str<'a>,
    /// `awsRegion`.
    pub aws_region: Str<'a>,
    /// `sourceIPAddress`.
    pub source_ip: Str<'a>,
    /// `errorCode`.
    pub error_code: Str<'a>,
    /// `errorMessage`.
    pub error_message: Str<'a>,
    /// `recipientAccountId`: the account whose resource the call was about.
    pub recipient_account_id: Str<'a>,
    /// `userIdentity`.
    pub user_identity: Obj<UserIdentity<'a>>,
    /// `requestParameters` (only the stream fields).
    pub request_parameters: Obj<RequestParameters<'a>>,
    /// `resources`: only the first entry's `ARN` is read.
    pub resources: FirstResource<'a>,
}

/// `resources[0].ARN`: the ARN of the first entry of a record's `resources` array (data events
/// such as `GetRecords` name their stream only there). Anything else reads as absent.
#[derive(Debug, Default)]
pub struct FirstResource<'a>(pub Option<Resource<'a>>);

/// One entry of `resources`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource<'a> {
    /// `ARN`.
    #[serde(rename = "ARN", borrow)]
    pub arn: Str<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for FirstResource<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FirstResource<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<Obj<Resource<'de>>>()?.and_then(|o| o.0);
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(FirstResource(first))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(FirstResource(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(FirstResource(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `userIdentity`, as far as the `user` rule needs it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity<'a> {
    /// `type`: IAMUser, AssumedRole, FederatedUser, Root, AWSService, ...
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    /// `userName`.
    #[serde(borrow)]
    pub user_name: Str<'a>,
    /// `arn`.
    #[serde(borrow)]
    pub arn: Str<'a>,
    /// `principalId`.
    #[serde(borrow)]
    pub principal_id: Str<'a>,
    /// `accountId` (the caller's account; another account's for `AWSAccount`).
    #[serde(borrow)]
    pub account_id: Str<'a>,
    /// `invokedBy`.
    #[serde(borrow)]
    pub invoked_by: Str<'a>,
    /// `sessionContext`.
    #[serde(borrow)]
    pub session_context: Obj<SessionContext<'a>>,
    /// `onBehalfOf`.
    #[serde(borrow)]
    pub on_behalf_of: Obj<OnBehalfOf<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext<'a> {
    /// `sessionIssuer`.
    #[serde(borrow)]
    pub session_issuer: Obj<SessionIssuer<'a>>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer<'a> {
    /// `userName`: the role name for `AssumedRole`.
    #[serde(borrow)]
    pub user_name: Str<'a>,
}

/// `userIdentity.onBehalfOf` (IAM Identity Center).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnBehalfOf<'a> {
    /// `userId`.
    #[serde(borrow)]
    pub user_id: Str<'a>,
}

/// `requestParameters`, as far as `--stream` needs it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestParameters<'a> {
    /// `streamName`.
    #[serde(borrow)]
    pub stream_name: Str<'a>,
    /// `streamARN`.
    #[serde(rename = "streamARN", borrow)]
    pub stream_arn: Str<'a>,
    /// `consumerARN` (`...:stream/NAME/consumer/CONSUMER:TIME`).
    #[serde(rename = "consumerARN", borrow)]
    pub consumer_arn: Str<'a>,
    /// `resourceARN` (a stream's or a consumer's ARN).
    #[serde(rename = "resourceARN", borrow)]
    pub resource_arn: Str<'a>,
    // The capacity, mode, retention and consumer parameters `health` reads (the fast path
    // leaves them empty: `health` reads its few change events again whole, `Record::with_whole`).
    /// `shardCount` (CreateStream).
    pub shard_count: Num,
    /// `targetShardCount` (UpdateShardCount).
    pub target_shard_count: Num,
    /// `retentionPeriodHours` (retention changes).
    pub retention_period_hours: Num,
    /// `streamModeDetails` (CreateStream, UpdateStreamMode).
    #[serde(borrow)]
    pub stream_mode_details: Obj<StreamModeDetails<'a>>,
    /// `shardToSplit` (SplitShard).
    #[serde(borrow)]
    pub shard_to_split: Str<'a>,
    /// `shardToMerge` (MergeShards).
    #[serde(borrow)]
    pub shard_to_merge: Str<'a>,
    /// `adjacentShardToMerge` (MergeShards).
    #[serde(borrow)]
    pub adjacent_shard_to_merge: Str<'a>,
    /// `shardLevelMetrics` (Enable/DisableEnhancedMonitoring).
    #[serde(borrow)]
    pub shard_level_metrics: Arr<Str<'a>>,
    /// `consumerName` (Register/DeregisterStreamConsumer).
    #[serde(borrow)]
    pub consumer_name: Str<'a>,
}

/// `requestParameters.streamModeDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StreamModeDetails<'a> {
    /// `streamMode`: `PROVISIONED` or `ON_DEMAND`.
    #[serde(borrow)]
    pub stream_mode: Str<'a>,
}

/// Identity types counted by the `top-users` panel.
pub const PERSON_TYPES: [&str; 4] = ["IAMUser", "AssumedRole", "FederatedUser", "Root"];

pub use crate::input::lenient::field;
use crate::input::lenient::trim;

/// The string fields a panel reads, for [`Record::get`]. The fields of one object
/// (`userIdentity`, `requestParameters`) are kept next to each other: the fast path clears them
/// as ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `eventTime`.
    EventTime,
    /// `eventSource`.
    EventSource,
    /// `eventName`.
    EventName,
    /// `eventType`.
    EventType,
    /// `eventID`.
    EventId,
    /// `awsRegion`.
    AwsRegion,
    /// `sourceIPAddress`.
    SourceIp,
    /// `errorCode`.
    ErrorCode,
    /// `errorMessage`.
    ErrorMessage,
    /// `recipientAccountId`.
    RecipientAccountId,
    /// `resources[0].ARN`.
    ResourcesArn,
    /// `userIdentity.type`.
    IdentityType,
    /// `userIdentity.userName`.
    UserName,
    /// `userIdentity.arn`.
    Arn,
    /// `userIdentity.principalId`.
    PrincipalId,
    /// `userIdentity.accountId`.
    IdentityAccountId,
    /// `userIdentity.invokedBy`.
    InvokedBy,
    /// `userIdentity.sessionContext.sessionIssuer.userName`.
    IssuerUserName,
    /// `userIdentity.onBehalfOf.userId`.
    OnBehalfOfUserId,
    /// `requestParameters.streamName`.
    StreamName,
    /// `requestParameters.streamARN`.
    StreamArn,
    /// `requestParameters.consumerARN`.
    ConsumerArn,
    /// `requestParameters.resourceARN`.
    ResourceArn,
}

impl Field {
    /// Every field, in order.
    pub const ALL: [Field; 23] = [
        Field::EventTime,
        Field::EventSource,
        Field::EventName,
        Field::EventType,
        Field::EventId,
        Field::AwsRegion,
        Field::SourceIp,
        Field::ErrorCode,
        Field::ErrorMessage,
        Field::RecipientAccountId,
        Field::ResourcesArn,
        Field::IdentityType,
        Field::UserName,
        Field::Arn,
        Field::PrincipalId,
        Field::IdentityAccountId,
        Field::InvokedBy,
        Field::IssuerUserName,
        Field::OnBehalfOfUserId,
        Field::StreamName,
        Field::StreamArn,
        Field::ConsumerArn,
        Field::ResourceArn,
    ];
}

/// How the roles of IAM Identity Center permission sets begin.
const SSO_PREFIX: &str = "AWSReservedSSO_";

/// The person behind an IAM Identity Center role session: `AWSReservedSSO_NAME/SESSION` for a
/// role `AWSReservedSSO_NAME_HEX` (the permission set NAME; the 16 hex digits AWS appends are
/// dropped), SESSION being what the ARN (`...:assumed-role/ROLE/SESSION`) or else the principal
/// id (`ROLEID:SESSION`) names, the user's Identity Center user name; as its two parts, the
/// permission set and the session. `None` when no session is named. Only for a `role` that
/// begins with [`SSO_PREFIX`], which the caller tests inline, so that other roles make no call.
#[inline(never)]
fn sso_user<'r>(
    role: &'r str,
    arn: impl FnOnce() -> &'r str,
    principal: impl FnOnce() -> &'r str,
) -> Option<(&'r str, &'r str)> {
    debug_assert!(role.starts_with(SSO_PREFIX), "{role}");
    let arn = arn();
    // The session follows the slash after the first ":assumed-role/" (the role's end).
    const ASSUMED: &[u8] = b":assumed-role/";
    let session = find_to_slash(arn, ASSUMED)
        .map(|i| i + ASSUMED.len())
        .and_then(|role| {
            memchr::memchr(b'/', &arn.as_bytes()[role..]).map(|j| &arn[role + j + 1..])
        })
        .filter(|s| !s.is_empty())
        .or_else(|| {
            principal()
                .split_once(':')
                .map(|(_, s)| s)
                .filter(|s| !s.is_empty())
        })?;
    // `_HEX` at the end, 16 hex digits (so that `_` is the last one), after more than the prefix.
    let b = role.as_bytes();
    let short = match b.len().checked_sub(17) {
        Some(cut)
            if cut > SSO_PREFIX.len()
                && b[cut] == b'_'
                && b[cut + 1..].iter().all(u8::is_ascii_hexdigit) =>
        {
            &role[..cut]
        }
        _ => role,
    };
    Some((short, session))
}

/// True when `s[..end]` ends with `pat`.
#[inline]
fn ends_with_at(s: &[u8], end: usize, pat: &[u8]) -> bool {
    end >= pat.len() && crate::group::same_bytes(&s[end - pat.len()..end], pat)
}

/// Where the first `pat` in `s` starts, for a `pat` whose only `/` is its last byte: every place
/// one can end is a slash, and an ARN has few (a substring searcher, built for each ARN, cost
/// ~1,100 instructions a federated user, more than the rest of its record's counting).
#[inline]
fn find_to_slash(s: &str, pat: &[u8]) -> Option<usize> {
    debug_assert_eq!(memchr::memchr(b'/', pat), Some(pat.len() - 1));
    memchr::memchr_iter(b'/', s.as_bytes())
        .find(|&i| ends_with_at(s.as_bytes(), i + 1, pat))
        .map(|i| i + 1 - pat.len())
}

/// Writes `a/b` into `buf`, emptied first.
fn join_into(a: &str, b: &str, buf: &mut String) {
    buf.clear();
    buf.reserve(a.len() + 1 + b.len());
    buf.push_str(a);
    buf.push('/');
    buf.push_str(b);
}

/// A record's `user` as the rule finds it: a string of the record, or two joined by a `/` (an
/// Identity Center user, a caller from another account), to be made into one string only
/// where it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserParts<'r> {
    /// The user, as the record has it.
    One(&'r str),
    /// The user is `A/B`.
    Joined(&'r str, &'r str),
}

/// The name after the first `federated-user/` in a federated user's ARN, if any.
#[inline(never)]
fn federated_user(arn: &str) -> Option<&str> {
    const FEDERATED: &[u8] = b"federated-user/";
    let i = find_to_slash(arn, FEDERATED)?;
    Some(&arn[i + FEDERATED.len()..]).filter(|name| !name.is_empty())
}

/// The rest of [`Record::user_parts`]: the user of a record whose identity names no user name,
/// federated user or role.
#[inline(never)]
fn user_without_role<'r, R: Record + ?Sized>(r: &'r R, kind: &str) -> UserParts<'r> {
    if kind == "Root" {
        return UserParts::One("root");
    }
    for f in [Field::InvokedBy, Field::OnBehalfOfUserId] {
        let v = r.field(f);
        if !v.is_empty() {
            return UserParts::One(v);
        }
    }
    let principal = r.field(Field::PrincipalId);
    let account = r.field(Field::IdentityAccountId);
    if kind == "AWSAccount" && !account.is_empty() && !principal.is_empty() {
        return UserParts::Joined(account, principal);
    }
    UserParts::One(if principal.is_empty() {
        "unknown"
    } else {
        principal
    })
}

/// One record as the panels see it, whichever reader produced it: the serde path's
/// [`RawRecord`] or the fast path's spans. The derived values (`user`, `stream`) are defined
/// once, here, over [`Record::get`].
pub trait Record {
    /// A string field as read (untrimmed); `None` when it, or an object it sits in, is absent
    /// or not of the expected JSON type.
    fn get(&self, f: Field) -> Option<&str>;

    /// The record with every member the serde path reads, handed to `f`: a [`RawRecord`] is
    /// that already; the fast path's record is read again from its text
    /// ([`FastRecord::whole`]). `None` when it cannot be.
    fn with_whole<T>(&self, f: impl FnOnce(&RawRecord<'_>) -> T) -> Option<T>;

    /// A string field trimmed, `""` when absent (real dumps pad values with spaces).
    #[inline]
    fn field(&self, f: Field) -> &str {
        self.get(f).map_or("", trim)
    }

    /// The identity type (`userIdentity.type`), `""` when absent.
    #[inline]
    fn identity_type(&self) -> &str {
        self.field(Field::IdentityType)
    }

    /// The `user` of a record, by the documented rule (first non-empty wins):
    /// `userName`; for `FederatedUser` the name after `federated-user/` in the ARN; the session
    /// issuer's `userName` (the role of an `AssumedRole`), for an IAM Identity Center role
    /// (`AWSReservedSSO_NAME_HEX`) as `AWSReservedSSO_NAME/SESSION`, the person the session
    /// names; `root` for `Root`; `invokedBy`; `onBehalfOf.userId`; for `AWSAccount` (a caller
    /// from another account) `ACCOUNT/PRINCIPAL`; `principalId`; else `unknown`. A record
    /// without `userIdentity` has all of these empty, so it is `unknown` too.
    fn user(&self) -> Cow<'_, str> {
        self.user_of(self.identity_type())
    }

    /// [`user`](Record::user), the identity type already read: `kind` must be
    /// [`identity_type`](Record::identity_type)'s.
    #[inline]
    fn user_of(&self, kind: &str) -> Cow<'_, str> {
        match self.user_parts(kind) {
            UserParts::One(user) => Cow::Borrowed(user),
            UserParts::Joined(a, b) => {
                let mut user = String::new();
                join_into(a, b, &mut user);
                Cow::Owned(user)
            }
        }
    }

    /// [`user_of`](Record::user_of), a user of two parts written into `buf` (so that counting a
    /// record allocates nothing).
    #[inline]
    fn user_in<'s>(&'s self, kind: &str, buf: &'s mut String) -> &'s str {
        match self.user_parts(kind) {
            UserParts::One(user) => user,
            UserParts::Joined(a, b) => {
                join_into(a, b, buf);
                buf
            }
        }
    }

    /// [`user_of`](Record::user_of) as its parts.
    #[inline(always)]
    fn user_parts(&self, kind: &str) -> UserParts<'_> {
        // In the rule's order, each looked at only when the ones before are empty. What most
        // records stop at (a user name, a role) is read here; the rest out of line.
        let name = self.field(Field::UserName);
        if !name.is_empty() {
            return UserParts::One(name);
        }
        if kind == "FederatedUser"
            && let Some(federated) = federated_user(self.field(Field::Arn))
        {
            return UserParts::One(federated);
        }
        let issuer = self.field(Field::IssuerUserName);
        if !issuer.is_empty() {
            // The ARN and principal are read only for an Identity Center role.
            if issuer.starts_with(SSO_PREFIX)
                && let Some((set, session)) = sso_user(
                    issuer,
                    || self.field(Field::Arn),
                    || self.field(Field::PrincipalId),
                )
            {
                return UserParts::Joined(set, session);
            }
            return UserParts::One(issuer);
        }
        user_without_role(self, kind)
    }

    /// The account and region of the stream a call is about, when an ARN names it (the
    /// first of `requestParameters.streamARN`, `consumerARN`, `resourceARN`, `resources[0].ARN`
    /// that names a stream): a call to another account's stream is logged in the caller's
    /// trail, whose `recipientAccountId` is the caller's. `None` when no ARN names the stream.
    fn stream_home(&self) -> Option<(&str, &str)> {
        [
            Field::StreamArn,
            Field::ConsumerArn,
            Field::ResourceArn,
            Field::ResourcesArn,
        ]
        .into_iter()
        .map(|f| self.field(f))
        .find(|arn| !stream_in_arn(arn).is_empty())
        .and_then(arn_account_region)
    }

    /// The stream a call is about, from every place a Kinesis event names it; the first that
    /// gives a name wins:
    /// 1. `requestParameters.streamName`;
    /// 2. the stream in `requestParameters.streamARN`, `consumerARN` or `resourceARN`, in that
    ///    order (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`, and for consumers
    ///    `.../stream/NAME/consumer/CONSUMER:TIME`);
    /// 3. the stream in `resources[0].ARN` (data events such as `GetRecords`);
    /// 4. else `""` (account-level calls: `ListStreams`, `DescribeLimits`, ...).
    fn stream(&self) -> &str {
        let name = self.field(Field::StreamName);
        if !name.is_empty() {
            return name;
        }
        [
            Field::StreamArn,
            Field::ConsumerArn,
            Field::ResourceArn,
            Field::ResourcesArn,
        ]
        .into_iter()
        .map(|f| stream_in_arn(self.field(f)))
        .find(|s| !s.is_empty())
        .unwrap_or("")
    }
}

/// The account and region of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`), when both
/// are there.
pub fn arn_account_region(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some(_), Some(region), Some(account), Some(_)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!region.is_empty() && !account.is_empty()).then_some((account, region))
}

/// The stream name in a Kinesis ARN: what follows the last `:stream/`, up to the next `/`
/// (`arn:aws:kinesis:us-east-1:1:stream/orders/consumer/app:1` gives `orders`); `""` when the
/// ARN names no stream.
pub fn stream_in_arn(arn: &str) -> &str {
    // The last ":stream/", found from the colons (a generic substring search costs more than
    // the rest of the record's fields together).
    let b = arn.as_bytes();
    let mut end = b.len();
    while let Some(i) = b[..end].iter().rposition(|&c| c == b':') {
        if b[i..].starts_with(b":stream/") {
            return arn[i + ":stream/".len()..].split('/').next().unwrap_or("");
        }
        end = i;
    }
    ""
}

impl Record for RawRecord<'_> {
    fn with_whole<T>(&self, f: impl FnOnce(&RawRecord<'_>) -> T) -> Option<T> {
        Some(f(self))
    }

    fn get(&self, f: Field) -> Option<&str> {
        let ui = || self.user_identity.as_ref();
        let rp = || self.request_parameters.as_ref();
        let s = match f {
            Field::EventTime => &self.event_time,
            Field::EventSource => &self.event_source,
            Field::EventName => &self.event_name,
            Field::EventType => &self.event_type,
            Field::EventId => &self.event_id,
            Field::AwsRegion => &self.aws_region,
            Field::SourceIp => &self.source_ip,
            Field::ErrorCode => &self.error_code,
            Field::ErrorMessage => &self.error_message,
            Field::RecipientAccountId => &self.recipient_account_id,
            Field::ResourcesArn => &self.resources.0.as_ref()?.arn,
            Field::IdentityType => &ui()?.kind,
            Field::UserName => &ui()?.user_name,
            Field::Arn => &ui()?.arn,
            Field::PrincipalId => &ui()?.principal_id,
            Field::IdentityAccountId => &ui()?.account_id,
            Field::InvokedBy => &ui()?.invoked_by,
            Field::IssuerUserName => {
                &ui()?
                    .session_context
                    .as_ref()?
                    .session_issuer
                    .as_ref()?
                    .user_name
            }
            Field::OnBehalfOfUserId => &ui()?.on_behalf_of.as_ref()?.user_id,
            Field::StreamName => &rp()?.stream_name,
            Field::StreamArn => &rp()?.stream_arn,
            Field::ConsumerArn => &rp()?.consumer_arn,
            Field::ResourceArn => &rp()?.resource_arn,
        };
        s.as_deref()
    }
}

/// Reads every record of a decoded document into `sink` and reports what it found. Never
/// panics, whatever the text. The fast path reads the common layouts; whatever it leaves is
/// read by the serde path.
pub fn parse_document(text: &str, sink: &mut dyn RecordSink) -> DocReport {
    parse_text(text, false, sink)
}

/// [`parse_document`] of a text that, when `continued`, follows a top-level value of the same
/// file (a piece of a big file, see `input::chunk`): as after a value in one text, it may start
/// with a comma, and what is not JSON there is damage, not a file that is not JSON.
pub fn parse_text(text: &str, continued: bool, sink: &mut dyn RecordSink) -> DocReport {
    // The fast path leaves a text that starts with a comma or anything else odd to serde.
    fast::parse_document(text, sink).unwrap_or_else(|| {
        if parse::is_export(text) {
            parse::export_lines(text, sink)
        } else {
            parse::values_in(text, continued, sink)
        }
    })
}

/// [`parse_document`] without the fast path: the reference the fast path must agree with.
pub fn parse_document_serde(text: &str, sink: &mut dyn RecordSink) -> DocReport {
    if parse::is_export(text) {
        parse::export_lines(text, sink)
    } else {
        parse::values(text, sink)
    }
}

/// Receives each record as it is read. It may refuse one, saying why: the record then counts as
/// skipped, and the report says where the first one of each reason was.
pub trait RecordSink {
    /// Called once per record object read by the serde path.
    fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), Skip>;

    /// Called once per record object read by the fast path. By default the record is built
    /// as the serde path builds it; a sink that only reads fields through [`Record`] can take
    /// it as it is.
    fn fast_record(&mut self, rec: &FastRecord<'_>) -> Result<(), Skip> {
        self.record(&rec.to_raw())
    }
}

/// Adapts a closure to a [`RecordSink`] that takes every record.
pub struct FnSink<F>(pub F);

impl<F: FnMut(&RawRecord<'_>)> RecordSink for FnSink<F> {
    fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), Skip> {
        (self.0)(rec);
        Ok(())
    }
}

/// The top-level keys that make an object an envelope rather than a record: the one list both
/// paths read (the fast path reads `Records` and leaves every other envelope to the serde path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `Records`: the S3 delivery format.
    Records,
    /// `Events`: `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// `digestStartTime`, `digestEndTime`, `digestS3Bucket`: a digest file.
    Digest,
    /// `messageType`, `logEvents`: a CloudWatch Logs subscription payload.
    Subscription,
    /// `events`: `aws logs filter-log-events` or `get-log-events` output.
    LogEvents,
    /// `detail-type`, `detail`: an EventBridge event.
    EventBridge,
}

impl Envelope {
    /// The envelope a top-level key announces, if any. Inlined, so that the fast path's key
    /// match absorbs it (as a call it cost 1% of the instructions on JSON lines, by callgrind).
    #[inline(always)]
    pub fn of_key(key: &[u8]) -> Option<Envelope> {
        Some(match key {
            b"Records" => Envelope::Records,
            b"Events" => Envelope::LookupEvents,
            b"digestStartTime" | b"digestEndTime" | b"digestS3Bucket" => Envelope::Digest,
            b"messageType" | b"logEvents" => Envelope::Subscription,
            b"events" => Envelope::LogEvents,
            b"detail-type" | b"detail" => Envelope::EventBridge,
            _ => return None,
        })
    }
}

/// How a document was laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `{"Records":[...]}`, as CloudTrail delivers to S3.
    Records,
    /// A top-level array of records.
    Array,
    /// One record object per line, or objects concatenated.
    Lines,
    /// One record object.
    Single,
    /// `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// CloudWatch Logs subscription payloads (`messageType`, `logEvents`), one or concatenated.
    Subscription,
    /// `aws logs filter-log-events` or `get-log-events` output (`events`).
    LogEvents,
    /// A CloudWatch Logs export to S3: lines of `<timestamp> <event JSON>`.
    Export,
    /// EventBridge events (`detail-type`, `detail`), one or more.
    EventBridge,
    /// A CloudTrail digest file (no records).
    Digest,
    /// Nothing but whitespace.
    Empty,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Layout::Records => "CloudTrail {\"Records\":[...]}",
            Layout::Array => "JSON array of records",
            Layout::Lines => "JSON lines",
            Layout::Single => "single event",
            Layout::LookupEvents => "lookup-events output",
            Layout::Subscription => "CloudWatch Logs subscription data",
            Layout::LogEvents => "filter-log-events output",
            Layout::Export => "CloudWatch Logs export",
            Layout::EventBridge => "EventBridge events",
            Layout::Digest => "CloudTrail digest",
            Layout::Empty => "empty",
        })
    }
}

/// What a CloudTrail record is to every command that reads it ([`kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'r> {
    /// A CloudTrail Insights record (`eventType` `AwsCloudTrailInsight`): counted apart.
    Insight,
    /// Another service's event.
    OtherService,
    /// A Kinesis event, with its time and (trimmed, non-empty) `eventName`.
    Kinesis {
        /// `eventTime`, in the years 1970 to 9999.
        time: Millis,
        /// `eventName`.
        name: &'r str,
    },
}

/// The one rule by which `events`, `health` and any other reader of CloudTrail take a record
/// as a Kinesis event or skip it, with the reason its warning gives: a record without
/// `eventSource`; a Kinesis event without a valid `eventTime` (read as written, untrimmed),
/// with one outside the years 1970 to 9999, or without an `eventName`. So a record is read or
/// skipped alike whichever command reads it.
#[inline]
pub fn kind<R: Record>(r: &R) -> Result<Kind<'_>, Skip> {
    if r.field(Field::EventType) == "AwsCloudTrailInsight" {
        return Ok(Kind::Insight);
    }
    let source = r.field(Field::EventSource);
    if source != KINESIS_SOURCE {
        if source.is_empty() {
            return Err(Skip::NoEventSource);
        }
        return Ok(Kind::OtherService);
    }
    let name = r.field(Field::EventName);
    let Some(time) = r.get(Field::EventTime).and_then(parse_event_time) else {
        return Err(Skip::BadEventTime);
    };
    if !in_range(time) {
        return Err(Skip::EventTimeOutOfRange);
    }
    if name.is_empty() {
        return Err(Skip::NoEventName);
    }
    Ok(Kind::Kinesis { time, name })
}

/// Why a value where a record should be was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not a JSON object (a number, string, array or null where a record should be).
    NotAnObject,
    /// The member named holds no array (`"Records": "x"`, `"logEvents": {}`).
    NotAnArray(&'static str),
    /// A lookup-events entry without a `CloudTrailEvent` string.
    NoCloudTrailEvent,
    /// A CloudWatch Logs event without a `message` string.
    NoMessage,
    /// Embedded text that should hold one event and is not a JSON object (the string named:
    /// `CloudTrailEvent`, a log event's `message`, an export line's message).
    NotJson(&'static str),
    /// A CloudWatch Logs subscription payload whose `messageType` is neither `DATA_MESSAGE` nor
    /// `CONTROL_MESSAGE`.
    UnknownMessageType,
    /// An EventBridge event whose `detail-type` does not say it came via CloudTrail.
    NotViaCloudTrail,
    /// An EventBridge event without a `detail` object.
    NoDetail,
    /// A line of a CloudWatch Logs export that does not start with a timestamp.
    NoTimestamp,
    /// A record without `eventSource`.
    NoEventSource,
    /// A Kinesis event without a valid `eventTime`.
    BadEventTime,
    /// A Kinesis event whose `eventTime` is a time outside the years 1970 to 9999.
    EventTimeOutOfRange,
    /// A Kinesis event without an `eventName`.
    NoEventName,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Skip::NotAnObject => f.write_str("not a JSON object"),
            Skip::NotAnArray(key) => write!(f, "\"{key}\" is not an array"),
            Skip::NoCloudTrailEvent => {
                f.write_str("a lookup-events entry without a CloudTrailEvent string")
            }
            Skip::NoMessage => f.write_str("a CloudWatch Logs event without a message string"),
            Skip::NotJson(what) => write!(f, "{what} is not a JSON object"),
            Skip::UnknownMessageType => f.write_str(
                "a CloudWatch Logs payload of unknown messageType (not DATA_MESSAGE or \
                 CONTROL_MESSAGE)",
            ),
            Skip::NotViaCloudTrail => {
                f.write_str("an EventBridge event that did not come via CloudTrail (detail-type)")
            }
            Skip::NoDetail => f.write_str("an EventBridge event without a detail object"),
            Skip::NoTimestamp => {
                f.write_str("a CloudWatch Logs export line that does not start with a timestamp")
            }
            Skip::NoEventSource => f.write_str("a record without eventSource"),
            Skip::BadEventTime => f.write_str("a Kinesis event without a valid eventTime"),
            Skip::EventTimeOutOfRange => write!(
                f,
                "a Kinesis event with an eventTime {}",
                crate::window::RANGE_WORDS
            ),
            Skip::NoEventName => f.write_str("a Kinesis event without an eventName"),
        }
    }
}

/// Where a skipped record was: the top-level value (or export line) it sits in, by the byte
/// offset where that starts, and its index in the value's array of records when it is one of
/// many (`"Records"`, `"logEvents"`, ...; `""` for a top-level array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Byte offset in the decoded text where the top-level value starts.
    pub value: usize,
    /// The array member and the 0-based index in it.
    pub index: Option<(&'static str, u64)>,
}

impl Place {
    /// The place in words, as a line and column of `text` and a jq path: `line 3`, `line 1,
    /// column 1, .Records[41]`, `line 2, column 17, .logEvents[0]`.
    pub fn describe(&self, text: &str) -> String {
        let before = text.as_bytes().get(..self.value).unwrap_or(text.as_bytes());
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        crate::input::json::place_words(line, column, self.index, "")
    }
}

/// Records skipped in one document, by reason: how many, and where the first was.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Skips(Vec<(Skip, u64, Place)>);

impl Skips {
    /// Counts one record skipped for `why` at `place`.
    pub fn add(&mut self, why: Skip, place: Place) {
        self.add_n(why, 1, place);
    }

    fn add_n(&mut self, why: Skip, n: u64, place: Place) {
        match self.0.iter_mut().find(|(w, _, _)| *w == why) {
            Some((_, count, _)) => *count += n,
            None => self.0.push((why, n, place)),
        }
    }

    /// Adds every count of `other` (whose places come after this one's).
    pub fn extend(&mut self, other: Skips) {
        for (why, n, place) in other.0 {
            self.add_n(why, n, place);
        }
    }

    /// All records skipped.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n, _)| n).sum()
    }

    /// True when nothing was skipped.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each reason with its count and first place, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = (Skip, u64, Place)> + '_ {
        self.0.iter().copied()
    }
}

/// What reading one document found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocReport {
    /// The layout of the first value (None when nothing could be read).
    pub layout: Option<Layout>,
    /// Records the sink took.
    pub records: u64,
    /// Records skipped: values where a record should be that are not one, and records the sink
    /// refused.
    pub skipped: Skips,
    /// CloudWatch Logs `CONTROL_MESSAGE` payloads (health checks that carry no events), passed
    /// over.
    pub control_messages: u64,
    /// Places where the JSON itself is broken; each cost at least one record but those
    /// counted in `intact`.
    pub damage: Vec<Damage>,
    /// Places of `damage` that cost no record: a comma missing between two records of an
    /// array, read on from the second.
    pub intact: u64,
}

impl DocReport {
    /// Adds what was found in the text that follows (the next piece of the same file), as if
    /// both had been read as one text. Places of `next` must already be the file's.
    pub fn join(&mut self, next: DocReport) {
        self.layout = match (self.layout, next.layout) {
            (None | Some(Layout::Empty), l) => l,
            (l, None | Some(Layout::Empty)) => l,
            // More than one value, the first a single event: JSON lines.
            (Some(Layout::Single), Some(_)) => Some(Layout::Lines),
            (l, _) => l,
        };
        self.records += next.records;
        self.skipped.extend(next.skipped);
        self.control_messages += next.control_messages;
        self.damage.extend(next.damage);
        self.intact += next.intact;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> RawRecord<'_> {
        parse::parse_record(json).expect(json)
    }

    /// The user of a role session reads the session's ARN and principal only for an Identity
    /// Center role (the rest of the rule never needs them before the principal at its end).
    #[test]
    fn user_reads_the_arn_only_for_identity_center_roles() {
        struct Asked<'r>(RawRecord<'r>, std::cell::RefCell<Vec<Field>>);
        impl Record for Asked<'_> {
            fn get(&self, f: Field) -> Option<&str> {
                self.1.borrow_mut().push(f);
                self.0.get(f)
            }
            fn with_whole<T>(&self, f: impl FnOnce(&RawRecord<'_>) -> T) -> Option<T> {
                self.0.with_whole(f)
            }
        }
        for (role, user, reads_arn) in [
            ("deploy-role", "deploy-role", false),
            (
                "AWSReservedSSO_Ops_0123456789abcdef",
                "AWSReservedSSO_Ops/jane",
                true,
            ),
        ] {
            let json = format!(
                r#"{{"userIdentity":{{"type":"AssumedRole","principalId":"AROA:jane","arn":"arn:aws:sts::1:assumed-role/{role}/jane","sessionContext":{{"sessionIssuer":{{"userName":"{role}"}}}}}}}}"#
            );
            let asked = Asked(record(&json), Default::default());
            assert_eq!(asked.user(), user);
            assert_eq!(asked.1.borrow().contains(&Field::Arn), reads_arn, "{role}");
            assert!(!asked.1.borrow().contains(&Field::PrincipalId), "{role}");
        }
    }

    /// The search from the slashes finds the first place `str::find` finds, or nothing where
    /// it finds nothing.
    #[test]
    fn find_to_slash_finds_the_first_match() {
        const PAT: &str = "federated-user/";
        for s in [
            "",
            "/",
            PAT,
            "federated-user",
            "ederated-user/",
            "arn:aws:sts::1:federated-user/bob",
            "arn:aws:sts::1:federated-user/a/federated-user/b",
            "federated-userfederated-user/x",
            "//federated-user//federated-user/",
            "fed/erated-user/",
            "federated-user/federated-user/",
            "x:assumed-role/federated-user",
        ] {
            assert_eq!(find_to_slash(s, PAT.as_bytes()), s.find(PAT), "{s:?}");
        }
    }

    #[test]
    fn user_rule_in_order() {
        let cases = [
            (
                r#"{"userIdentity":{"type":"IAMUser","userName":"alice","principalId":"P"}}"#,
                "alice",
            ),
            (
                r#"{"userIdentity":{"type":"IAMUser","userName":"  ","principalId":"P1"}}"#,
                "P1",
            ),
            (
                r#"{"userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob","principalId":"1:bob"}}"#,
                "bob",
            ),
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AR:sess","sessionContext":{"sessionIssuer":{"userName":"deploy-role"}}}}"#,
                "deploy-role",
            ),
            (
                r#"{"userIdentity":{"type":"Root","principalId":"123"}}"#,
                "root",
            ),
            (
                r#"{"userIdentity":{"type":"Root","userName":"named-root"}}"#,
                "named-root",
            ),
            (
                r#"{"userIdentity":{"type":"AWSService","invokedBy":"firehose.amazonaws.com"}}"#,
                "firehose.amazonaws.com",
            ),
            (
                r#"{"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-1"},"principalId":"x"}}"#,
                "u-1",
            ),
            (
                r#"{"userIdentity":{"type":"Unknown","principalId":" P9 "}}"#,
                "P9",
            ),
            // IAM Identity Center: the person the role session names, after the permission set.
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:jane.doe@corp","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@corp","sessionContext":{"sessionIssuer":{"type":"Role","userName":"AWSReservedSSO_AdministratorAccess_0123456789abcdef"}}}}"#,
                "AWSReservedSSO_AdministratorAccess/jane.doe@corp",
            ),
            // ... the session after the first `:assumed-role/` (colons before it and in the
            // session), the ARN's empty session giving way to the principal id's.
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:p","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/a:assumed-role/b/c","sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_Ops_0123456789abcdef"}}}}"#,
                "AWSReservedSSO_Ops/a:assumed-role/b/c",
            ),
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:p","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/","sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_Ops_0123456789abcdef"}}}}"#,
                "AWSReservedSSO_Ops/p",
            ),
            // ... from the principal id when the ARN is missing; the suffix is kept unless it
            // is 16 hex digits; a role that is only the prefix and the suffix stays whole.
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:bob","sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_ReadOnly_v2"}}}}"#,
                "AWSReservedSSO_ReadOnly_v2/bob",
            ),
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:eve","sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_0123456789ABCDEF"}}}}"#,
                "AWSReservedSSO_0123456789ABCDEF/eve",
            ),
            // ... and the role alone when no session is named.
            (
                r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE","sessionContext":{"sessionIssuer":{"userName":"AWSReservedSSO_Admin_0123456789abcdef"}}}}"#,
                "AWSReservedSSO_Admin_0123456789abcdef",
            ),
            // Another account's caller: the account with the principal.
            (
                r#"{"userIdentity":{"type":"AWSAccount","principalId":"AROAOTHER:etl","accountId":"444455556666"}}"#,
                "444455556666/AROAOTHER:etl",
            ),
            (
                r#"{"userIdentity":{"type":"AWSAccount","principalId":"AIDAOTHER"}}"#,
                "AIDAOTHER",
            ),
            (
                r#"{"userIdentity":{"type":"IAMUser","principalId":"AIDAX","accountId":"1"}}"#,
                "AIDAX",
            ),
            (r#"{"userIdentity":{}}"#, "unknown"),
            (r#"{"userIdentity":null}"#, "unknown"),
            (r#"{"userIdentity":"weird"}"#, "unknown"),
            (r#"{}"#, "unknown"),
            (
                r#"{"userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::1:assumed/x","principalId":"pid"}}"#,
                "pid",
            ),
        ];
        for (json, want) in cases {
            let wrapped = format!(
                r#"{{"eventTime":"2024-01-01T00:00:00Z","eventSource":"x",{}"#,
                &json[1..]
            );
            let wrapped = wrapped.replace(",}", "}");
            let rec = record(&wrapped);
            assert_eq!(rec.user(), want, "{json}");
            // Written into a buffer that held something else, the same user.
            let mut buf = String::from("left over from the record before");
            assert_eq!(rec.user_in(rec.identity_type(), &mut buf), want, "{json}");
        }
    }

    /// A record of every Kinesis Data Streams API operation (the API reference's list, with
    /// the request parameters that name a resource, in CloudTrail's camelCase), and the stream
    /// each is about. Read on the fast path and the serde path, which must
    /// agree, and both must find the stream.
    #[test]
    fn stream_of_every_kinesis_api() {
        const ARN: &str = "arn:aws:kinesis:us-east-1:111122223333:stream/orders";
        const CONSUMER: &str =
            "arn:aws:kinesis:us-east-1:111122223333:stream/orders/consumer/app1:1709942400";
        let name = r#"{"streamName":"orders"}"#.to_string();
        let by_arn = format!(r#"{{"streamARN":"{ARN}"}}"#);
        let resource = format!(r#"{{"resourceARN":"{ARN}"}}"#);
        let consumer_resource = format!(r#"{{"resourceARN":"{CONSUMER}"}}"#);
        let consumer = format!(r#"{{"streamARN":"{ARN}","consumerName":"app1"}}"#);
        let consumer_arn = format!(r#"{{"consumerARN":"{CONSUMER}"}}"#);
        let none = "null".to_string();
        // (operation, requestParameters, resources, stream)
        let data_event = format!(
            r#"[{{"accountId":"111122223333","type":"AWS::Kinesis::Stream","ARN":"{ARN}"}}]"#
        );
        let ops: Vec<(&str, String, Option<String>, &str)> = vec![
            ("AddTagsToStream", r#"{"streamName":"orders","tags":{"team":"a"}}"#.into(), None, "orders"),
            ("CreateStream", r#"{"streamName":"orders","shardCount":2}"#.into(), None, "orders"),
            ("DecreaseStreamRetentionPeriod", by_arn.clone(), None, "orders"),
            ("DeleteResourcePolicy", resource.clone(), None, "orders"),
            ("DeleteStream", format!(r#"{{"streamARN":"{ARN}","enforceConsumerDeletion":true}}"#), None, "orders"),
            ("DeregisterStreamConsumer", consumer_arn.clone(), None, "orders"),
            ("DescribeAccountSettings", none.clone(), None, ""),
            ("DescribeLimits", none.clone(), None, ""),
            ("DescribeStream", name.clone(), None, "orders"),
            ("DescribeStreamConsumer", consumer.clone(), None, "orders"),
            ("DescribeStreamSummary", by_arn.clone(), None, "orders"),
            ("DisableEnhancedMonitoring", r#"{"streamName":"orders","shardLevelMetrics":["ALL"]}"#.into(), None, "orders"),
            ("EnableEnhancedMonitoring", r#"{"streamName":"orders","shardLevelMetrics":["ALL"]}"#.into(), None, "orders"),
            // Data events: the stream only in resources[].
            ("GetRecords", r#"{"shardIterator":"AAAA","limit":1000}"#.into(), Some(data_event.clone()), "orders"),
            ("GetResourcePolicy", consumer_resource.clone(), None, "orders"),
            ("GetShardIterator", r#"{"streamName":"orders","shardId":"shardId-000000000000","shardIteratorType":"LATEST"}"#.into(), None, "orders"),
            ("IncreaseStreamRetentionPeriod", by_arn.clone(), None, "orders"),
            ("ListShards", by_arn.clone(), None, "orders"),
            ("ListStreamConsumers", by_arn.clone(), None, "orders"),
            ("ListStreams", r#"{"limit":10}"#.into(), None, ""),
            ("ListTagsForResource", resource.clone(), None, "orders"),
            ("ListTagsForStream", name.clone(), None, "orders"),
            ("MergeShards", r#"{"streamName":"orders","shardToMerge":"shardId-000000000001","adjacentShardToMerge":"shardId-000000000002"}"#.into(), None, "orders"),
            ("PutRecord", r#"{"streamName":"orders","partitionKey":"pk"}"#.into(), Some(data_event.clone()), "orders"),
            ("PutRecords", by_arn.clone(), Some(data_event.clone()), "orders"),
            ("PutResourcePolicy", format!(r#"{{"resourceARN":"{ARN}","policy":"{{}}"}}"#), None, "orders"),
            ("RegisterStreamConsumer", consumer.clone(), None, "orders"),
            ("RemoveTagsFromStream", r#"{"streamName":"orders","tagKeys":["team"]}"#.into(), None, "orders"),
            ("SplitShard", r#"{"streamName":"orders","shardToSplit":"shardId-000000000000","newStartingHashKey":"1"}"#.into(), None, "orders"),
            ("StartStreamEncryption", r#"{"streamName":"orders","encryptionType":"KMS","keyId":"arn:aws:kms:us-east-1:1:key/k"}"#.into(), None, "orders"),
            ("StopStreamEncryption", by_arn.clone(), None, "orders"),
            ("SubscribeToShard", format!(r#"{{"consumerARN":"{CONSUMER}","shardId":"shardId-000000000000"}}"#), Some(data_event.clone()), "orders"),
            ("TagResource", consumer_resource.clone(), None, "orders"),
            ("UntagResource", resource.clone(), None, "orders"),
            ("UpdateAccountSettings", r#"{"minimumThroughputBillingCommitment":{"status":"ENABLED"}}"#.into(), None, ""),
            ("UpdateMaxRecordSize", format!(r#"{{"streamARN":"{ARN}","maxRecordSizeInKiB":2048}}"#), None, "orders"),
            ("UpdateShardCount", r#"{"streamName":"orders","targetShardCount":4,"scalingType":"UNIFORM_SCALING"}"#.into(), None, "orders"),
            ("UpdateStreamMode", format!(r#"{{"streamARN":"{ARN}","streamModeDetails":{{"streamMode":"ON_DEMAND"}}}}"#), None, "orders"),
            ("UpdateStreamWarmThroughput", by_arn.clone(), None, "orders"),
        ];
        assert_eq!(ops.len(), 39);
        let records: Vec<String> = ops
            .iter()
            .map(|(op, params, resources, _)| {
                let resources = resources
                    .as_ref()
                    .map_or(String::new(), |r| format!(r#","resources":{r}"#));
                format!(
                    r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"{op}","requestParameters":{params}{resources},"recipientAccountId":"111122223333"}}"#
                )
            })
            .collect();
        let doc = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        // The fast path reads it, exactly as the serde path does.
        assert_eq!(fast::compare_with_serde(&doc), Ok(true));
        let streams = |serde_only: bool| {
            let mut out = Vec::new();
            let mut sink = FnSink(|r: &RawRecord<'_>| out.push(r.stream().to_string()));
            if serde_only {
                parse_document_serde(&doc, &mut sink);
            } else {
                parse_document(&doc, &mut sink);
            }
            out
        };
        let want: Vec<&str> = ops.iter().map(|o| o.3).collect();
        assert_eq!(streams(false), want);
        assert_eq!(streams(true), want);
    }

    #[test]
    fn stream_from_name_or_arn() {
        let cases = [
            (
                r#"{"requestParameters":{"streamName":" orders "}}"#,
                "orders",
            ),
            (
                r#"{"requestParameters":{"streamARN":"arn:aws:kinesis:us-east-1:123:stream/clicks"}}"#,
                "clicks",
            ),
            (
                r#"{"requestParameters":{"streamARN":"arn:aws:kinesis:us-east-1:123:stream/clicks/consumer/c:1"}}"#,
                "clicks",
            ),
            (
                r#"{"requestParameters":{"streamName":"a","streamARN":"arn:x:stream/b"}}"#,
                "a",
            ),
            (r#"{"requestParameters":null}"#, ""),
            (r#"{"requestParameters":{"streamName":7}}"#, ""),
        ];
        for (json, want) in cases {
            let wrapped = format!(r#"{{"eventTime":"t","eventSource":"x",{}"#, &json[1..]);
            assert_eq!(record(&wrapped).stream(), want, "{json}");
        }
    }
}
