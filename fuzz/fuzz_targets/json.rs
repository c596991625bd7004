//! The JSON bodies strangers and staff send: the first byte picks an input type, the rest is
//! parsed with the routes' own `parse_json` and, where a pure rule exists, checked by it (report
//! fields, reward policy, user names, passwords, jurisdictions, phone numbers, credit codes,
//! receipt codes). A refusal is fine; a panic, a hang or memory past the limits is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingling_api::domain::{credit_code, inputs};
use qingling_api::http::multipart::parse_json;
use qingling_api::services::{
    appeals, auth, bureau, criteria, disclosures, followup, hazards, rectification, rewards,
    submission, triage, users,
};

fn parse<T: serde::de::DeserializeOwned>(json: &[u8]) -> Option<T> {
    parse_json::<T>(json).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    match which % 20 {
        0 => {
            if let Some(input) = parse::<submission::ReportInput>(json) {
                for photos in 0..=6 {
                    let _ = submission::check_input(&input, photos);
                }
            }
        }
        1 => drop(parse::<triage::TriageRequest>(json)),
        2 => {
            if let Some(p) = parse::<rewards::RewardPolicyRequest>(json) {
                let _ = qingling_api::domain::reward_policy::RewardPolicy {
                    general_fen: p.general_fen,
                    major_fen: p.major_fen,
                    principal_threshold_fen: p.principal_threshold_fen,
                    monthly_cap_fen: p.monthly_cap_fen,
                    duplicates_share: p.duplicates_share,
                }
                .parse();
            }
        }
        3 => drop(parse::<rewards::AdjustRequest>(json)),
        4 => drop(parse::<rewards::PaidRequest>(json)),
        5 => drop(parse::<disclosures::CreateDisclosureRequest>(json)),
        6 => drop(parse::<bureau::SuperviseRequest>(json)),
        7 => drop(parse::<bureau::MessageRequest>(json)),
        8 => {
            if let Some(l) = parse::<auth::LoginRequest>(json) {
                let _ = inputs::Username::parse(&l.username);
            }
        }
        9 => {
            if let Some(c) = parse::<auth::ChangePasswordRequest>(json) {
                let _ = inputs::NewPassword::parse(&c.new_password);
            }
        }
        10 => drop(parse::<users::CreateUserRequest>(json)),
        11 => drop(parse::<appeals::ReceiptAppealRequest>(json)),
        12 => {
            if let Some(r) = parse::<followup::ReceiptLookup>(json) {
                let _ = qingling_crypto::ReceiptCode::parse(&r.receipt_code);
            }
        }
        13 => drop(parse::<followup::ReceiptMessage>(json)),
        14 => drop(parse::<rectification::PlanRequest>(json)),
        15 => drop(parse::<rectification::VerifyRequest>(json)),
        16 => drop(parse::<hazards::CreateHazardRequest>(json)),
        17 => drop(parse::<criteria::CreateCriterionRequest>(json)),
        _ => {
            // The pure text rules, on the raw string.
            if let Ok(s) = std::str::from_utf8(json) {
                let _ = inputs::jurisdiction(s);
                let _ = inputs::phone(s);
                let _ = inputs::text("title", s, 100);
                let _ = inputs::optional_text("description", Some(s), 2000);
                let _ = credit_code::parse(s);
            }
        }
    }
});
