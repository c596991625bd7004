//! Proof of report: the signed document a reporter keeps, its canonical bytes, and how anyone
//! checks it. Pure: no I/O, no database; the CLI, the tests and the services all use this one
//! implementation (the `/proof/` page reimplements it in JavaScript from the README).
//!
//! # Canonical bytes
//!
//! A proof is a JSON object. Its signature is Ed25519 over the UTF-8 bytes of the RFC 8785 (JCS)
//! canonical form of the object *without* its `signature` member. Proof documents only hold
//! strings, integers, `null`, arrays and objects, so JCS reduces to: no whitespace; object
//! members sorted by key (UTF-16 code units; all keys are ASCII); strings escaped as
//! ECMAScript's `JSON.stringify` does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls as
//! `\u00xx`, everything else literal); integers in plain decimal. JavaScript's
//! `JSON.stringify` over a key-sorted copy gives exactly these bytes.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// The value of `qingling_proof` in every document of this format.
pub const FORMAT: i64 = 1;

/// Kinds of proof. The first proof of a report is [`ProofKind::Submitted`]; every later one
/// carries `first_proof_sha256`, the SHA-256 of the first proof's signature bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    /// The server stored the report.
    Submitted,
    /// The enterprise accepted it: a hazard was registered.
    Accepted,
    /// A rectification deadline was set in the hazard's 五落实 plan.
    PlanDeadline,
    /// The hazard was closed (销号).
    Closed,
    /// The report or its hazard was escalated to the bureau.
    Escalated,
}

impl ProofKind {
    /// The `kind` member.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "report.submitted",
            Self::Accepted => "report.accepted",
            Self::PlanDeadline => "hazard.plan_deadline",
            Self::Closed => "hazard.closed",
            Self::Escalated => "report.escalated",
        }
    }

    /// Parses a `kind` member.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Accepted,
            Self::PlanDeadline,
            Self::Closed,
            Self::Escalated,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The enterprise a report went to, as it is named in proofs.
#[derive(Debug, Clone)]
pub struct ProofEnterprise {
    /// Registered name.
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub credit_code: String,
}

/// One photo of a report: as the phone uploaded it and as the server stored it after sanitising.
#[derive(Debug, Clone)]
pub struct ProofPhoto {
    /// SHA-256 of the uploaded bytes.
    pub uploaded_sha256: [u8; 32],
    /// SHA-256 of the stored (sanitised, re-encoded) JPEG that staff and the bureau download.
    pub stored_sha256: [u8; 32],
}

/// What the first proof of a report states.
#[derive(Debug, Clone)]
pub struct SubmittedFacts<'a> {
    /// Report id.
    pub report_id: &'a str,
    /// Where it went.
    pub enterprise: &'a ProofEnterprise,
    /// When the server stored it (UTC).
    pub at: DateTime<Utc>,
    /// The title exactly as submitted.
    pub title: &'a str,
    /// The description exactly as submitted.
    pub description: &'a str,
    /// Photos in the order sent.
    pub photos: &'a [ProofPhoto],
    /// `general`, `major` or none.
    pub suspected_level: Option<&'a str>,
}

/// RFC 3339 UTC with microseconds and `Z`, the only time format in proofs.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn enterprise_value(e: &ProofEnterprise) -> Value {
    serde_json::json!({ "name": e.name, "credit_code": e.credit_code })
}

/// The unsigned body of a report's first proof (sign it with [`signing_input`]).
pub fn submitted_body(f: &SubmittedFacts<'_>, key_id: &str) -> Value {
    let photos: Vec<Value> = f
        .photos
        .iter()
        .map(|p| {
            serde_json::json!({
                "uploaded_sha256": hex::encode(p.uploaded_sha256),
                "stored_sha256": hex::encode(p.stored_sha256),
            })
        })
        .collect();
    serde_json::json!({
        "qingling_proof": FORMAT,
        "kind": ProofKind::Submitted.as_str(),
        "report_id": f.report_id,
        "enterprise": enterprise_value(f.enterprise),
        "at": format_time(f.at),
        "title_sha256": sha256_hex(f.title.as_bytes()),
        "description_sha256": sha256_hex(f.description.as_bytes()),
        "photos": photos,
        "suspected_level": f.suspected_level,
        "key_id": key_id,
    })
}

/// The unsigned body of a later proof, chained to the report's first proof. `details` holds
/// string members only (hazard id, level, deadline, escalation id).
pub fn event_body(
    kind: ProofKind,
    report_id: &str,
    enterprise: &ProofEnterprise,
    at: DateTime<Utc>,
    first_signature: &[u8; 64],
    details: &[(&str, String)],
    key_id: &str,
) -> Value {
    let details: Map<String, Value> = details
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
        .collect();
    serde_json::json!({
        "qingling_proof": FORMAT,
        "kind": kind.as_str(),
        "report_id": report_id,
        "enterprise": enterprise_value(enterprise),
        "at": format_time(at),
        "first_proof_sha256": sha256_hex(first_signature),
        "details": details,
        "key_id": key_id,
    })
}

/// A value that has no canonical form in proofs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a proof may hold only strings, integers, null, booleans, arrays and objects")]
pub struct NotCanonical;

/// RFC 8785 canonical JSON of `value` (restricted to what proofs hold: no fractional numbers).
pub fn canonical_json(value: &Value) -> Result<String, NotCanonical> {
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), NotCanonical> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                return Err(NotCanonical);
            }
        }
        // serde_json escapes exactly as JSON.stringify does (short escapes, lower-case \u00xx
        // for other controls, nothing else escaped).
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// The bytes that are signed: the canonical JSON of the document without `signature`.
pub fn signing_input(document: &Value) -> Result<Vec<u8>, NotCanonical> {
    let mut unsigned = document.clone();
    if let Value::Object(m) = &mut unsigned {
        m.remove("signature");
    }
    canonical_json(&unsigned).map(String::into_bytes)
}

/// A published proof key, as `GET /.well-known/qingling-proof-keys` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PublishedKey {
    /// The `key_id` proofs name.
    pub key_id: String,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, standard base64.
    pub public_key: String,
    /// The key signs proofs from this time (RFC 3339 UTC)…
    pub valid_from: String,
    /// …until this time, when a newer key took over; `null` while it is the current key.
    pub valid_until: Option<String>,
}

/// The published key set.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PublishedKeys {
    /// `qingling-proof-keys/1`.
    pub format: String,
    /// Every key that has signed proofs, oldest first.
    pub keys: Vec<PublishedKey>,
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Not a proof document of this format.
    #[error("not a Qingling proof (format 1): {0}")]
    Malformed(&'static str),
    /// No published key has this id.
    #[error("unknown key id {0}")]
    UnknownKey(String),
    /// The proof's time is outside the key's validity.
    #[error("the proof's time is outside the validity of key {0}")]
    OutsideValidity(String),
    /// The signature does not match the document: something was changed.
    #[error("the signature does not match: the document was changed or not signed by this key")]
    BadSignature,
    /// A later proof does not chain to the first proof given with it.
    #[error("proof {0} does not chain to the report's first proof")]
    BrokenChain(usize),
    /// A photo file matches none of the proof's photo hashes.
    #[error("photo {0} matches no photo of the proof")]
    PhotoMismatch(String),
}

/// What a verified proof says, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `kind`.
    pub kind: String,
    /// `report_id`.
    pub report_id: String,
    /// `at`.
    pub at: String,
    /// The key that signed it.
    pub key_id: String,
    /// Enterprise name and credit code.
    pub enterprise: String,
}

fn str_member<'a>(doc: &'a Value, key: &'static str) -> Result<&'a str, ProofError> {
    doc.get(key)
        .and_then(Value::as_str)
        .ok_or(ProofError::Malformed(key))
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Checks one proof against the published keys: format, key, validity, signature.
pub fn verify(document: &Value, keys: &[PublishedKey]) -> Result<Verified, ProofError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    if document.get("qingling_proof").and_then(Value::as_i64) != Some(FORMAT) {
        return Err(ProofError::Malformed("qingling_proof"));
    }
    let kind = str_member(document, "kind")?;
    if ProofKind::parse(kind).is_none() {
        return Err(ProofError::Malformed("kind"));
    }
    let key_id = str_member(document, "key_id")?;
    let at_text = str_member(document, "at")?;
    let at = parse_time(at_text).ok_or(ProofError::Malformed("at"))?;
    let signature: [u8; 64] = b64
        .decode(str_member(document, "signature")?)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or(ProofError::Malformed("signature"))?;
    let key = keys
        .iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(|| ProofError::UnknownKey(key_id.to_owned()))?;
    let public: [u8; 32] = b64
        .decode(&key.public_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or(ProofError::Malformed("public_key"))?;
    let from = parse_time(&key.valid_from).ok_or(ProofError::Malformed("valid_from"))?;
    let until = match &key.valid_until {
        Some(u) => Some(parse_time(u).ok_or(ProofError::Malformed("valid_until"))?),
        None => None,
    };
    if at < from || until.is_some_and(|u| at > u) {
        return Err(ProofError::OutsideValidity(key_id.to_owned()));
    }
    let message = signing_input(document).map_err(|_| ProofError::Malformed("value"))?;
    if !qingling_crypto::verify_proof_signature(&public, &message, &signature) {
        return Err(ProofError::BadSignature);
    }
    let enterprise = document.get("enterprise");
    let name = enterprise
        .and_then(|e| e.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let code = enterprise
        .and_then(|e| e.get("credit_code"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(Verified {
        kind: kind.to_owned(),
        report_id: str_member(document, "report_id")?.to_owned(),
        at: at_text.to_owned(),
        key_id: key_id.to_owned(),
        enterprise: format!("{name} ({code})"),
    })
}

/// Verifies a file's content: one proof, or an array of a report's proofs (first proof first,
/// as the follow-up lists them), each later one chained to the first.
pub fn verify_bundle(content: &Value, keys: &[PublishedKey]) -> Result<Vec<Verified>, ProofError> {
    let docs: Vec<&Value> = match content {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    if docs.is_empty() {
        return Err(ProofError::Malformed("empty list"));
    }
    let mut out = Vec::with_capacity(docs.len());
    for d in &docs {
        out.push(verify(d, keys)?);
    }
    if let Some(first) = docs
        .iter()
        .find(|d| d.get("kind").and_then(Value::as_str) == Some(ProofKind::Submitted.as_str()))
    {
        use base64::Engine as _;
        let sig = base64::engine::general_purpose::STANDARD
            .decode(str_member(first, "signature")?)
            .map_err(|_| ProofError::Malformed("signature"))?;
        let link = sha256_hex(&sig);
        let report = str_member(first, "report_id")?;
        for (i, d) in docs.iter().enumerate() {
            if std::ptr::eq(*d, *first) {
                continue;
            }
            let chained = d.get("first_proof_sha256").and_then(Value::as_str) == Some(&link)
                && d.get("report_id").and_then(Value::as_str) == Some(report);
            if !chained {
                return Err(ProofError::BrokenChain(i));
            }
        }
    }
    Ok(out)
}

/// Checks that a photo file is one of the report's photos (as uploaded or as stored), by the
/// first proof of the bundle that lists photos.
pub fn check_photo(content: &Value, name: &str, bytes: &[u8]) -> Result<(), ProofError> {
    let hash = sha256_hex(bytes);
    let docs: Vec<&Value> = match content {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let found = docs
        .iter()
        .filter_map(|d| d.get("photos").and_then(Value::as_array))
        .flatten()
        .any(|p| {
            ["uploaded_sha256", "stored_sha256"]
                .iter()
                .any(|k| p.get(*k).and_then(Value::as_str) == Some(hash.as_str()))
        });
    if found {
        Ok(())
    } else {
        Err(ProofError::PhotoMismatch(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_escapes_like_json_stringify() {
        let v =
            serde_json::json!({"b": [1, null, true], "a": "x\u{1}\n\"é/", "A": {"z": -3, "c": ""}});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"A":{"c":"","z":-3},"a":"x\u0001\n\"é/","b":[1,null,true]}"#
        );
        assert!(canonical_json(&serde_json::json!({"f": 1.5})).is_err());
    }

    #[test]
    fn utf16_order_is_used_for_keys() {
        // U+FF21 (fullwidth A) sorts after U+1F600 in UTF-8 but before it in UTF-16.
        let v = serde_json::json!({"\u{1F600}": 1, "\u{FF21}": 2});
        assert_eq!(
            canonical_json(&v).unwrap(),
            "{\"\u{1F600}\":1,\"\u{FF21}\":2}"
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            ProofKind::Submitted,
            ProofKind::Accepted,
            ProofKind::PlanDeadline,
            ProofKind::Closed,
            ProofKind::Escalated,
        ] {
            assert_eq!(ProofKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProofKind::parse("nope"), None);
    }
}
