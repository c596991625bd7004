//! Staff, bureau and admin routes, and the extractor configuration every scope shares.

pub mod admin;
pub mod auth;
pub mod bureau;
pub mod disclosures;
pub mod health;
pub mod ledger;
pub mod notifications;
pub mod outbox;
pub mod proof;
pub mod reports;
pub mod rewards;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::problem;

/// Registers health, metrics and the `/api/v1` routes.
pub fn configure_staff(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::change_password)
            .service(admin::me)
            .service(admin::create_enterprise)
            .service(admin::list_enterprises)
            .service(admin::get_enterprise)
            .service(admin::create_area)
            .service(admin::list_areas)
            .service(admin::create_user)
            .service(admin::list_users)
            .service(admin::deactivate_user)
            .service(admin::reactivate_user)
            .service(admin::reset_user_password)
            .service(admin::import_workers)
            .service(reports::list_reports)
            .service(reports::find_report)
            .service(reports::message_reporter)
            .service(reports::find_report_photo)
            .service(ledger::triage_report)
            .service(ledger::list_hazards)
            .service(ledger::create_hazard)
            .service(ledger::find_hazard)
            .service(ledger::find_hazard_photo)
            .service(ledger::set_plan)
            .service(ledger::add_evidence)
            .service(ledger::verify_hazard)
            .service(ledger::create_sweep)
            .service(ledger::list_criteria)
            .service(ledger::create_criterion)
            .service(ledger::ledger_csv)
            .service(ledger::ledger_xlsx)
            .service(bureau::list_escalations)
            .service(bureau::find_escalation)
            .service(bureau::find_escalation_photo)
            .service(bureau::acknowledge_escalation)
            .service(bureau::supervise_escalation)
            .service(bureau::close_escalation)
            .service(bureau::dismiss_escalation)
            .service(bureau::message_enterprise)
            .service(bureau::overview)
            .service(bureau::overview_enterprise)
            .service(outbox::list_dead_letters)
            .service(outbox::retry_dead_letter)
            .service(notifications::get_enterprise_notifications)
            .service(notifications::put_enterprise_notifications)
            .service(notifications::get_jurisdiction_notifications)
            .service(notifications::put_jurisdiction_notifications)
            .service(rewards::get_reward_policy)
            .service(rewards::put_reward_policy)
            .service(rewards::export_rewards_csv)
            .service(rewards::export_rewards_xlsx)
            .service(rewards::list_rewards)
            .service(rewards::get_reward)
            .service(rewards::adjust_reward)
            .service(rewards::approve_reward)
            .service(rewards::reject_reward)
            .service(rewards::mark_reward_paid)
            .service(disclosures::list_disclosures)
            .service(disclosures::request_disclosure)
            .service(disclosures::approve_disclosure)
            .service(disclosures::refuse_disclosure)
            .service(disclosures::find_disclosure)
            .service(disclosures::open_disclosure),
    );
}

/// Registers `/healthz`, `/readyz`, and the proof keys and page (every deployment shape has
/// them).
pub fn configure_health(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(proof::proof_keys)
        .service(proof::proof_page)
        .service(proof::proof_page_redirect)
        .service(proof::proof_asset);
}

/// Registers `/metrics` (token-gated; never on the phone-only edge, see `Sides`).
pub fn configure_metrics(cfg: &mut ServiceConfig) {
    cfg.service(health::metrics);
}

/// JSON bodies: size limit and problem+json errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| problem::json_error(&err).into())
}

/// Query strings: problem+json errors.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err, _req| problem::param_error("query", &err.to_string()).into())
}

/// Path segments: problem+json errors.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| problem::param_error("path", &err.to_string()).into())
}
