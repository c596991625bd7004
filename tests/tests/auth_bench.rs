//! What the revocation check costs per authenticated request (ignored; run by hand):
//!
//! ```sh
//! cargo test -p qingling-tests --test auth_bench -- --ignored --nocapture
//! QINGLING_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test … (PostgreSQL)
//! ```
//!
//! Times, over many rounds, the JWT check alone (signature and claims, what the extractor did
//! before) and the liveness check added on top of it (`auth::check_live`: a hop to the blocking
//! pool, a pooled connection and one primary-key read of the user's epoch and flags).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use qingling_api::services::auth::{self, Pending};
use qingling_tests::{backend, spawn_app};

#[tokio::test]
#[ignore = "a measurement; run by hand"]
async fn the_revocation_check_per_request() {
    let app = spawn_app().await;
    let (_, token) = app.user("admin", None, None).await;
    let rounds = 5_000;
    let start = Instant::now();
    for _ in 0..rounds {
        app.ctx.tokens.verify(&token).unwrap();
    }
    let jwt = start.elapsed() / rounds;
    let verified = app.ctx.tokens.verify(&token).unwrap();
    for _ in 0..200 {
        auth::check_live(&app.ctx, verified.clone(), Pending::Refuse)
            .await
            .unwrap();
    }
    let start = Instant::now();
    for _ in 0..rounds {
        auth::check_live(&app.ctx, verified.clone(), Pending::Refuse)
            .await
            .unwrap();
    }
    let live = start.elapsed() / rounds;
    println!(
        "{}: JWT verify {:?} per request; liveness check (blocking hop + pooled connection + \
         primary-key read) {:?} per request, sequential",
        backend(),
        jwt,
        live
    );
}
