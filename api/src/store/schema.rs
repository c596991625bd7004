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
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::joinable!(areas -> enterprises (enterprise_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    enterprises,
    areas,
    users,
    refresh_tokens,
    audit_events,
    audit_head,
);
