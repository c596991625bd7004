//! Diesel table definitions, written by hand to match both migration trees (a test compares them
//! with the database after migrating).

diesel::table! {
    enterprises (id) {
        id -> Text,
        name -> Text,
        credit_code -> Text,
        sector -> Text,
        jurisdiction -> Text,
        intake_code -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    areas (id) {
        id -> Text,
        enterprise_id -> Text,
        name -> Text,
        description -> Text,
        qr_token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        enterprise_id -> Nullable<Text>,
        jurisdiction -> Nullable<Text>,
        personal_sealed -> Binary,
        active -> Bool,
        created_at -> Timestamp,
        token_epoch -> BigInt,
        must_change_password -> Bool,
    }
}

diesel::table! {
    activation_codes (user_id) {
        user_id -> Text,
        code_hash -> Text,
        batch_id -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
        mac -> Nullable<Text>,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
        keyed_seq -> BigInt,
        mac -> Nullable<Text>,
        keyed_from -> Nullable<BigInt>,
    }
}

diesel::table! {
    key_pins (name) {
        name -> Text,
        version -> Integer,
        sealed -> Binary,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        enterprise_id -> Text,
        area_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        suspected_level -> Nullable<Text>,
        criterion_codes -> Text,
        mode -> Text,
        pseudonym -> Text,
        reporter_index -> Nullable<Text>,
        identity_sealed -> Nullable<Binary>,
        receipt_hash -> Text,
        status -> Text,
        hazard_id -> Nullable<Text>,
        status_note -> Nullable<Text>,
        created_at -> Timestamp,
        triaged_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    photos (id) {
        id -> Text,
        enterprise_id -> Text,
        owner_type -> Text,
        owner_id -> Text,
        position -> Integer,
        display_key -> Text,
        thumb_key -> Text,
        width -> Integer,
        height -> Integer,
        sha256 -> Text,
        phash -> Text,
        display_bytes -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    report_events (id) {
        id -> Text,
        report_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    report_messages (id) {
        id -> Text,
        report_id -> Text,
        sender -> Text,
        recipient -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency (scope, key_hash) {
        scope -> Text,
        key_hash -> Text,
        status -> Nullable<Integer>,
        response -> Nullable<Binary>,
        created_at -> Timestamp,
        fingerprint -> Nullable<Text>,
    }
}

diesel::table! {
    criteria (code) {
        code -> Text,
        enterprise_id -> Nullable<Text>,
        sector -> Text,
        article -> Text,
        summary_zh -> Text,
        summary_en -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sweeps (id) {
        id -> Text,
        enterprise_id -> Text,
        quarter -> Text,
        leader -> Text,
        scope -> Text,
        swept_on -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hazards (id) {
        id -> Text,
        enterprise_id -> Text,
        area_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        level -> Text,
        criterion_codes -> Text,
        source -> Text,
        report_id -> Nullable<Text>,
        sweep_id -> Nullable<Text>,
        status -> Text,
        quarter -> Text,
        deadline -> Nullable<Text>,
        plan_version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    hazard_plans (id) {
        id -> Text,
        hazard_id -> Text,
        version -> Integer,
        measures -> Text,
        responsible_person -> Text,
        responsible_user_id -> Nullable<Text>,
        funds_fen -> Nullable<BigInt>,
        deadline -> Nullable<Text>,
        contingency_plan -> Nullable<Text>,
        author_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hazard_evidence (id) {
        id -> Text,
        hazard_id -> Text,
        note -> Text,
        author_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hazard_events (id) {
        id -> Text,
        hazard_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    escalations (id) {
        id -> Text,
        enterprise_id -> Text,
        jurisdiction -> Text,
        subject_type -> Text,
        subject_id -> Text,
        status -> Text,
        triggers -> Text,
        bureau_deadline -> Nullable<Timestamp>,
        instructions -> Nullable<Text>,
        dismiss_reason -> Nullable<Text>,
        deadline_passed_at -> Nullable<Timestamp>,
        opened_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    escalation_triggers (subject_type, subject_id, kind) {
        subject_type -> Text,
        subject_id -> Text,
        kind -> Text,
        escalation_id -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    escalation_events (id) {
        id -> Text,
        escalation_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    escalation_stats (enterprise_id) {
        enterprise_id -> Text,
        open_count -> BigInt,
        closed_count -> BigInt,
        closed_seconds_total -> BigInt,
    }
}

diesel::table! {
    hazard_stats (enterprise_id) {
        enterprise_id -> Text,
        open_major -> BigInt,
        closed_major -> BigInt,
        closed_major_seconds -> BigInt,
    }
}

diesel::table! {
    sweeper_marks (kind) {
        kind -> Text,
        cutoff -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        event_id -> Text,
        topic -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        channel -> Text,
    }
}

diesel::table! {
    notification_channels (owner_type, owner_id) {
        owner_type -> Text,
        owner_id -> Text,
        channels -> Text,
        sealed -> Binary,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_marks (kind, subject_id) {
        kind -> Text,
        subject_id -> Text,
        fired_at -> Timestamp,
    }
}

diesel::table! {
    reward_policies (enterprise_id, version) {
        enterprise_id -> Text,
        version -> BigInt,
        general_fen -> BigInt,
        major_fen -> BigInt,
        principal_threshold_fen -> BigInt,
        monthly_cap_fen -> BigInt,
        duplicates_share -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rewards (id) {
        id -> Text,
        enterprise_id -> Text,
        report_id -> Text,
        hazard_id -> Text,
        kind -> Text,
        level -> Text,
        policy_version -> BigInt,
        amount_fen -> BigInt,
        status -> Text,
        proposed_by -> Text,
        proposed_at -> Timestamp,
        adjust_reason -> Nullable<Text>,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        rejected_reason -> Nullable<Text>,
        paid_reference -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        payout_sealed -> Nullable<Binary>,
        reporter_index -> Nullable<Text>,
        month -> Text,
        updated_at -> Timestamp,
        held_until -> Nullable<Text>,
        payout_opened_at -> Nullable<Timestamp>,
        payout_opened_role -> Nullable<Text>,
    }
}

diesel::table! {
    login_days (user_id, day) {
        user_id -> Text,
        day -> Text,
        logins -> BigInt,
    }
}

diesel::table! {
    disclosures (id) {
        id -> Text,
        enterprise_id -> Text,
        report_id -> Text,
        requested_by -> Text,
        reason -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        opened_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    console_sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(areas -> enterprises (enterprise_id));
diesel::joinable!(console_sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(login_days -> users (user_id));
diesel::joinable!(activation_codes -> users (user_id));
diesel::joinable!(reports -> enterprises (enterprise_id));
diesel::joinable!(reports -> areas (area_id));
diesel::joinable!(report_events -> reports (report_id));
diesel::joinable!(report_messages -> reports (report_id));
diesel::joinable!(sweeps -> enterprises (enterprise_id));
diesel::joinable!(hazards -> enterprises (enterprise_id));
diesel::joinable!(hazards -> areas (area_id));
diesel::joinable!(hazards -> sweeps (sweep_id));
diesel::joinable!(hazard_evidence -> hazards (hazard_id));
diesel::joinable!(hazard_events -> hazards (hazard_id));

diesel::joinable!(escalations -> enterprises (enterprise_id));
diesel::joinable!(escalation_events -> escalations (escalation_id));
diesel::joinable!(escalation_stats -> enterprises (enterprise_id));
diesel::joinable!(hazard_stats -> enterprises (enterprise_id));

diesel::table! {
    hazard_months (enterprise_id, month, level, area_id) {
        enterprise_id -> Text,
        month -> Text,
        level -> Text,
        area_id -> Text,
        registered -> BigInt,
        closed -> BigInt,
        closed_seconds -> BigInt,
    }
}

diesel::joinable!(hazard_months -> enterprises (enterprise_id));

diesel::joinable!(reward_policies -> enterprises (enterprise_id));
diesel::joinable!(rewards -> reports (report_id));
diesel::joinable!(disclosures -> reports (report_id));

diesel::table! {
    proof_keys (key_id) {
        key_id -> Text,
        version -> Integer,
        public_key -> Text,
        valid_from -> Timestamp,
        valid_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    report_proofs (id) {
        id -> Text,
        report_id -> Text,
        kind -> Text,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    enterprises,
    notification_channels,
    notification_marks,
    areas,
    users,
    refresh_tokens,
    login_days,
    activation_codes,
    audit_events,
    audit_head,
    key_pins,
    reports,
    photos,
    report_events,
    report_messages,
    idempotency,
    criteria,
    sweeps,
    hazards,
    hazard_plans,
    hazard_evidence,
    hazard_events,
    escalations,
    escalation_triggers,
    escalation_events,
    escalation_stats,
    hazard_stats,
    hazard_months,
    sweeper_marks,
    outbox,
    reward_policies,
    rewards,
    disclosures,
    console_sessions,
    proof_keys,
    report_proofs,
);
