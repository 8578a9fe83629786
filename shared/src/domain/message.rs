//! Messages to and from contacts: the keywords a contact may send, and the order in which
//! an outbound message's delivery status may move.

use serde::{Deserialize, Serialize};

/// What a whole inbound message asks for, as Twilio's opt-out handling defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// STOP and its synonyms: withdraw consent for the channel.
    OptOut,
    /// START, YES, UNSTOP: consent again.
    OptIn,
    /// HELP, INFO: answer with the channel's help text.
    Help,
}

const OPT_OUT: [&str; 8] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const OPT_IN: [&str; 3] = ["START", "YES", "UNSTOP"];
const HELP: [&str; 2] = ["HELP", "INFO"];

/// The keyword a message is, if its whole text (trimmed, any case) is one: "please stop calling"
/// is a message, not STOP.
pub fn keyword(body: &str) -> Option<Keyword> {
    let word = body.trim();
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    if is(&OPT_OUT) {
        Some(Keyword::OptOut)
    } else if is(&OPT_IN) {
        Some(Keyword::OptIn)
    } else if is(&HELP) {
        Some(Keyword::Help)
    } else {
        None
    }
}

/// Twilio's `OptOutType` parameter (sent with Advanced Opt-Out) says the same as a keyword.
pub fn opt_out_type(value: &str) -> Option<Keyword> {
    match value.trim().to_ascii_uppercase().as_str() {
        "STOP" => Some(Keyword::OptOut),
        "START" => Some(Keyword::OptIn),
        "HELP" => Some(Keyword::Help),
        _ => None,
    }
}

/// An outbound message's delivery, as status callbacks report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    Undelivered,
    Failed,
    Read,
}

impl DeliveryStatus {
    /// Twilio's `MessageStatus` values that concern delivery (`accepted` and `scheduled` are queued).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "accepted" | "scheduled" | "queued" => Self::Queued,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "undelivered" => Self::Undelivered,
            "failed" => Self::Failed,
            "read" => Self::Read,
            _ => return None,
        })
    }

    fn rank(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Sending => 1,
            Self::Sent => 2,
            Self::Delivered | Self::Undelivered | Self::Failed => 3,
            Self::Read => 4,
        }
    }

    /// The status after a callback reporting `reported`: callbacks arrive out of order, so a status
    /// never moves backwards, and an outcome (delivered, undelivered, failed) is never replaced by
    /// another — only a delivered message may still be read.
    pub fn advance(self, reported: Self) -> Self {
        let forward = reported.rank() > self.rank();
        let read_after_delivery = self == Self::Delivered && reported == Self::Read;
        if (forward && self.rank() < 3) || read_after_delivery {
            reported
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_message_is_a_keyword() {
        for word in [
            "STOP",
            " stop ",
            "Unsubscribe",
            "optout",
            "REVOKE",
            "quit\n",
        ] {
            assert_eq!(keyword(word), Some(Keyword::OptOut), "{word:?}");
        }
        for word in ["start", "YES", "unstop"] {
            assert_eq!(keyword(word), Some(Keyword::OptIn), "{word:?}");
        }
        assert_eq!(keyword("help"), Some(Keyword::Help));
        assert_eq!(keyword("Info"), Some(Keyword::Help));
        for message in [
            "please stop calling",
            "STOP!",
            "stop it",
            "",
            "yes please",
            "ST OP",
        ] {
            assert_eq!(keyword(message), None, "{message:?}");
        }
        assert_eq!(opt_out_type("STOP"), Some(Keyword::OptOut));
        assert_eq!(opt_out_type("start"), Some(Keyword::OptIn));
        assert_eq!(opt_out_type("nope"), None);
    }

    #[test]
    fn delivery_never_moves_backwards_nor_changes_its_outcome() {
        use DeliveryStatus::*;
        assert_eq!(Queued.advance(Sent), Sent);
        assert_eq!(Sent.advance(Queued), Sent, "a late 'queued' is stale");
        assert_eq!(Sent.advance(Delivered), Delivered);
        assert_eq!(Delivered.advance(Sent), Delivered);
        assert_eq!(Delivered.advance(Read), Read);
        assert_eq!(Read.advance(Delivered), Read);
        assert_eq!(Failed.advance(Delivered), Failed, "an outcome stays");
        assert_eq!(Undelivered.advance(Read), Undelivered);
        assert_eq!(Queued.advance(Failed), Failed);
        assert_eq!(DeliveryStatus::parse("accepted"), Some(Queued));
        assert_eq!(DeliveryStatus::parse("receiving"), None);
    }
}
