//! CloudTrail records: the borrowed record model, the layouts a dump comes in, and the rules that
//! turn a raw record into the fields the panels group by (trimming, the `user` rule, the stream).

pub mod fast;
pub mod parse;

use serde::Deserialize;

use crate::input::lenient::{Obj, Str};

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
    /// `userIdentity`.
    pub user_identity: Obj<UserIdentity<'a>>,
    /// `requestParameters` (only the stream fields).
    pub request_parameters: Obj<RequestParameters<'a>>,
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
    /// `userIdentity.type`.
    IdentityType,
    /// `userIdentity.userName`.
    UserName,
    /// `userIdentity.arn`.
    Arn,
    /// `userIdentity.principalId`.
    PrincipalId,
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
}

impl Field {
    /// Every field, in order.
    pub const ALL: [Field; 18] = [
        Field::EventTime,
        Field::EventSource,
        Field::EventName,
        Field::EventType,
        Field::EventId,
        Field::AwsRegion,
        Field::SourceIp,
        Field::ErrorCode,
        Field::ErrorMessage,
        Field::IdentityType,
        Field::UserName,
        Field::Arn,
        Field::PrincipalId,
        Field::InvokedBy,
        Field::IssuerUserName,
        Field::OnBehalfOfUserId,
        Field::StreamName,
        Field::StreamArn,
    ];
}

/// One record as the panels see it, whichever reader produced it: the serde path's
/// [`RawRecord`] or the fast path's spans. The derived values (`user`, `stream`) are defined
/// once, here, over [`Record::get`].
pub trait Record {
    /// A string field as read (untrimmed); `None` when it, or an object it sits in, is absent
    /// or not of the expected JSON type.
    fn get(&self, f: Field) -> Option<&str>;

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
    /// issuer's `userName` (the role of an `AssumedRole`); `root` for `Root`; `invokedBy`;
    /// `onBehalfOf.userId`; `principalId`; else `unknown`. A record without `userIdentity` has
    /// all of these empty, so it is `unknown` too.
    fn user(&self) -> &str {
        // In the rule's order, each looked at only when the ones before are empty.
        let name = self.field(Field::UserName);
        if !name.is_empty() {
            return name;
        }
        let kind = self.field(Field::IdentityType);
        if kind == "FederatedUser" {
            let arn = self.field(Field::Arn);
            if let Some(i) = arn.find("federated-user/") {
                let federated = &arn[i + "federated-user/".len()..];
                if !federated.is_empty() {
                    return federated;
                }
            }
        }
        let issuer = self.field(Field::IssuerUserName);
        if !issuer.is_empty() {
            return issuer;
        }
        if kind == "Root" {
            return "root";
        }
        [
            Field::InvokedBy,
            Field::OnBehalfOfUserId,
            Field::PrincipalId,
        ]
        .into_iter()
        .map(|f| self.field(f))
        .find(|s| !s.is_empty())
        .unwrap_or("unknown")
    }

    /// The stream a call is about: `requestParameters.streamName`, else the name at the end of
    /// `requestParameters.streamARN` (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`), else `""`.
    fn stream(&self) -> &str {
        let name = self.field(Field::StreamName);
        if !name.is_empty() {
            return name;
        }
        let arn = self.field(Field::StreamArn);
        // The last ":stream/", found from the colons (a generic substring search costs more
        // than the rest of the record's fields together).
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
}

impl Record for RawRecord<'_> {
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
            Field::IdentityType => &ui()?.kind,
            Field::UserName => &ui()?.user_name,
            Field::Arn => &ui()?.arn,
            Field::PrincipalId => &ui()?.principal_id,
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
        };
        s.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> RawRecord<'_> {
        parse::parse_record(json).expect(json)
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
            assert_eq!(record(&wrapped).user(), want, "{json}");
        }
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
