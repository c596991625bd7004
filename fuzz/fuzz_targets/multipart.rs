//! The multipart reader every report route uses (`read_parts`), fed a hostile body in chunks of
//! a size the input chooses, with the server's real context (upload budget, pacing, photo
//! limits) over a throw-away SQLite database, then the JSON part parsed and checked as a
//! submission does. A refusal is fine; a panic, a hang or memory past the limits is a finding.
//!
//! Input: two bytes of chunk size, then the body of a `multipart/form-data` request with the
//! boundary `qinglingfuzz`.
#![no_main]

use std::sync::OnceLock;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::test::TestRequest;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use qingling_api::AppContext;
use qingling_api::config::{DatabaseUrl, Settings};
use qingling_api::http::multipart::{parse_json, read_parts};
use qingling_api::services::submission::{MAX_PHOTOS, ReportInput, check_input};

struct World {
    ctx: AppContext,
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder for the fuzzer's database");
        let db = DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("q.db").display()))
            .expect("a SQLite URL");
        // The server's own idle timeout (30 s), longer than libFuzzer's `-timeout`: a body that
        // ends inside a part must be refused at once, not waited on. (actix-multipart 0.7 stayed
        // pending there, actix/actix-web#3202, found by this target; 0.8.2 answers
        // `Incomplete`.)
        let settings = Settings::for_data_dir(dir.path(), db);
        let ctx = qingling_api::bootstrap::open(settings)
            .expect("the server's context over a fresh database");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime");
        World { ctx, rt, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let w = world();
    let chunk = usize::from(u16::from_le_bytes([data[0], data[1]])).max(1);
    let body = Bytes::copy_from_slice(&data[2..]);
    let chunks: Vec<Result<Bytes, PayloadError>> = (0..body.len())
        .step_by(chunk)
        .map(|at| Ok(body.slice(at..(at + chunk).min(body.len()))))
        .collect();
    let req = TestRequest::post()
        .uri("/m/v1/anonymous-reports")
        .insert_header((
            "content-type",
            "multipart/form-data; boundary=qinglingfuzz",
        ))
        .to_http_request();
    let form = Multipart::new(req.headers(), futures_util::stream::iter(chunks));
    w.rt.block_on(async {
        let Ok(parts) = read_parts(&w.ctx, &req, form, "report", MAX_PHOTOS).await else {
            return;
        };
        assert!(parts.photos.len() <= MAX_PHOTOS);
        assert!(
            parts
                .photos
                .iter()
                .all(|p| p.len() <= w.ctx.photo_limits.max_bytes)
        );
        if let Some(json) = &parts.json {
            if let Ok(input) = parse_json::<ReportInput>(json) {
                let _ = check_input(&input, parts.photos.len());
            }
        }
    });
});
