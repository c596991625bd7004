//! Issue 16, item 3: decoder bombs sent to the real server as report photos. Each file of the
//! committed corpus (`api/tests/bombs`, written by its `make.py`) is refused or handled with at
//! most 64 MiB above the idle peak and under 2 s of CPU, and the server answers health checks
//! throughout (the CPU bound is asserted for refusals; a handled photo's CPU is printed, since a
//! debug build's figure says little). One test in this binary, so nothing else runs in the process while it measures:
//! the figures are the whole process's (server and client), which only overstates the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use qingling_tests::spawn_app_with;
use reqwest::StatusCode;
use serde_json::json;

const MIB: u64 = 1024 * 1024;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

/// User + system CPU time of the whole process.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of the file (utime, stime), counted from the state at index 0 = field 3.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // The kernel reports in USER_HZ, 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// Resets the peak RSS to the current RSS (Linux `clear_refs` 5), so each bomb's peak is its own.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[tokio::test]
async fn every_bomb_is_refused_or_handled_within_64_mib_and_2_s_of_cpu() {
    let app = spawn_app_with(|_| {}).await;
    let site = app.reporting_site().await;
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/tests/bombs");
    let cases: &[(&str, u16)] = &[
        ("png16_rgba_8000x6000.png", 413),
        ("png16_rgba_2828x2828.png", 201),
        ("png_palette_8000x6000.png", 413),
        ("png_palette_2828x2828.png", 201),
        ("jpeg_progressive_3000_scans.jpg", 422),
        // Within the scan limit, refused by the decoder itself (a refinement scan repeated).
        ("jpeg_progressive_100_scans.jpg", 422),
        ("webp_2828x2828.webp", 201),
        ("webp_claims_16383x16383.webp", 413),
        ("png_truncated.png", 422),
        ("png_corrupt_idat.png", 422),
        ("jpeg_truncated.jpg", 422),
        ("jpeg_corrupt.jpg", 422),
        ("webp_truncated.webp", 422),
    ];
    // Warm up: one ordinary report, so lazily built tables and pools count as idle.
    let warm = app
        .submit_report(
            &site.worker_token,
            json!({"title": "预热"}),
            &[qingling_tests::photos::jpeg(640, 480)],
        )
        .await;
    assert_eq!(warm.status, StatusCode::CREATED);
    let peak_resettable = reset_peak();

    let mut figures = Vec::new();
    let mut failures = Vec::new();
    for (name, expected) in cases {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        let health = {
            let base = app.base.clone();
            let client = app.client.clone();
            tokio::spawn(async move {
                let mut slowest = Duration::ZERO;
                for _ in 0..20 {
                    let t = Instant::now();
                    let a = client.get(format!("{base}/healthz")).send().await.unwrap();
                    assert_eq!(a.status(), StatusCode::OK);
                    slowest = slowest.max(t.elapsed());
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                slowest
            })
        };
        reset_peak();
        let idle = status_kib("VmRSS:") * 1024;
        let cpu = cpu_time();
        let a = app
            .submit_report(&site.worker_token, json!({"title": *name}), &[bytes])
            .await;
        let cpu = cpu_time() - cpu;
        let peak = status_kib("VmHWM:") * 1024;
        let above = peak.saturating_sub(idle);
        let slowest_health = health.await.unwrap();
        figures.push(format!(
            "{name}: {} {}, peak +{:.1} MiB, CPU {} ms, slowest /healthz {} ms",
            a.status.as_u16(),
            a.code(),
            above as f64 / MIB as f64,
            cpu.as_millis(),
            slowest_health.as_millis()
        ));
        let mut wrong = Vec::new();
        // A debug build on a loaded machine can take longer than the wall-clock budget for a
        // photo at the PNG/WebP pixel limit (6 s of CPU unoptimised, ~10x less in release):
        // that refusal is the budget working, so it is accepted and shown in the figures.
        let over_budget = *expected == 201
            && a.status.as_u16() == 422
            && a.json["detail"]
                .as_str()
                .is_some_and(|d| d.contains("超时"));
        if a.status.as_u16() != *expected && !over_budget {
            wrong.push(format!("expected {expected}: {:?}", a.json));
        }
        if *expected != 201 && a.headers["content-type"] != "application/problem+json" {
            wrong.push("not a problem".to_owned());
        }
        if peak_resettable && above > 64 * MIB {
            wrong.push(format!("{} MiB above idle", above / MIB));
        }
        // Refusals must be cheap in any build. What a handled photo costs is a speed figure,
        // printed here and measured for real in the photo benchmark (release build).
        if *expected != 201 && cpu >= Duration::from_secs(2) {
            wrong.push(format!("{cpu:?} of CPU"));
        }
        if slowest_health >= Duration::from_secs(1) {
            wrong.push(format!("health answered in {slowest_health:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{name}: {}", wrong.join("; ")));
        }
    }
    eprintln!(
        "bomb corpus (peak resettable: {peak_resettable}):\n{}",
        figures.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
