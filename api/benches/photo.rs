//! The photo pipeline on a 12-megapixel phone-like JPEG: per stage and in total (criterion), then
//! CPU time per photo side by side with the Python/Pillow peer (`pillow_peer.py`) in the same run,
//! then the peak memory of one sanitize in a fresh process.
//!
//! `cargo bench -p qingling-api --bench photo`. The photo is generated deterministically (smooth
//! gradients plus sensor-like noise, 4:2:0, quality 90, about 5 MB) and cached in the target
//! directory, never committed.

// Test and benchmark code: a failed step should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, black_box};
use qingling_api::media::{
    BlobStore, JpegDecoder, LocalBlobStore, PhotoLimits, PhotoVault, StageTimes, Variant, sanitize,
    sanitize_timed,
};
use qingling_crypto::{KeyRing, MasterKey};

/// A deterministic photo-like picture: lighting gradients, some structure, and per-pixel noise
/// so it compresses like a real photo rather than like a test card.
fn photo_pixels(w: u32, h: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Roughly normal: sum of four uniforms, centred.
        let s: i32 = (0..4).map(|i| ((state >> (i * 16)) & 0xFF) as i32).sum();
        (s - 510) / 9
    };
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f32, y as f32);
            let light = 60.0 * (xf / 700.0).sin() + 40.0 * (yf / 450.0).cos();
            let structure = if ((x / 160) + (y / 240)) % 3 == 0 {
                25.0
            } else {
                0.0
            };
            let base = [
                120.0 + light + structure,
                110.0 + 0.8 * light,
                100.0 + 0.5 * light - structure,
            ];
            for c in base {
                let v = c as i32 + noise();
                px.push(v.clamp(0, 255) as u8);
            }
        }
    }
    px
}

/// The cached test photo of `w × h`, generated on first use.
fn photo(w: u32, h: u32) -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("qingling-photo-{w}x{h}.jpg"));
    if !path.exists() {
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
        enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
        enc.encode(
            &photo_pixels(w, h),
            w as u16,
            h as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encode test photo");
        std::fs::write(&path, out).expect("cache test photo");
    }
    path
}

/// CPU time of the whole process (all threads), from /proc, in milliseconds.
fn process_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat[stat.rfind(')').expect("stat") + 2..]
        .split(' ')
        .collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks * 10.0 // USER_HZ is 100 on Linux
}

fn vault(dir: &std::path::Path) -> PhotoVault {
    let store: Arc<dyn BlobStore> = Arc::new(LocalBlobStore::open(dir).expect("blob dir"));
    PhotoVault::new(store, Arc::new(KeyRing::new(1, MasterKey::generate())))
}

fn criterion_benches(c: &mut Criterion, bytes: &[u8]) {
    let limits = PhotoLimits::default();
    let mut group = c.benchmark_group("photo_12mp");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("sanitize_total", |b| {
        b.iter(|| sanitize(black_box(bytes), &limits))
    });
    let turbo = PhotoLimits {
        jpeg_decoder: JpegDecoder::Turbo,
        ..limits
    };
    group.bench_function("sanitize_total_turbo_decoder", |b| {
        b.iter(|| sanitize(black_box(bytes), &turbo))
    });
    type Pick = fn(&StageTimes) -> Duration;
    let stages: [(&str, Pick); 5] = [
        ("stage_decode", |t| t.decode),
        ("stage_resize", |t| t.resize),
        ("stage_orient", |t| t.orient),
        ("stage_encode", |t| t.encode),
        ("stage_hash", |t| t.hash),
    ];
    for (name, pick) in stages {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| pick(&sanitize_timed(bytes, &limits).expect("sanitize").1))
                    .sum()
            })
        });
    }
    let photo = sanitize(bytes, &limits).expect("sanitize");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = vault(dir.path());
    group.bench_function("seal_and_store_both", |b| {
        b.iter(|| {
            // Each seal is fresh ciphertext and so a new blob: delete it again, or the run
            // would leave gigabytes behind. The figure includes the two deletes.
            let d = vault
                .store("ent", "p", Variant::Display, photo.display.clone())
                .expect("store");
            let t = vault
                .store("ent", "p", Variant::Thumb, photo.thumb.clone())
                .expect("store");
            vault.delete(&d).expect("delete");
            vault.delete(&t).expect("delete");
        })
    });
    group.finish();
}

/// Ours: sanitize, then seal and durably store both copies, CPU ms per photo.
fn ours_cpu_ms(bytes: &[u8], iterations: u32, limits: PhotoLimits) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = vault(dir.path());
    let run = || {
        let p = sanitize(bytes, &limits).expect("sanitize");
        let d = vault
            .store("ent", "p", Variant::Display, p.display)
            .expect("store");
        let t = vault
            .store("ent", "p", Variant::Thumb, p.thumb)
            .expect("store");
        vault.delete(&d).expect("delete");
        vault.delete(&t).expect("delete");
    };
    run();
    let start = process_cpu_ms();
    for _ in 0..iterations {
        run();
    }
    (process_cpu_ms() - start) / f64::from(iterations)
}

/// The Pillow peer's CPU ms per photo, or why it could not run.
fn pillow_cpu_ms(path: &std::path::Path, iterations: u32) -> Result<(f64, String), String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/pillow_peer.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(iterations.to_string())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
    let ms = v["cpu_ms_per_photo"]
        .as_f64()
        .ok_or("no cpu_ms_per_photo")?;
    Ok((ms, line))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn side_by_side(path: &std::path::Path, bytes: &[u8]) {
    const ROUNDS: usize = 6;
    const ITERATIONS: u32 = 10;
    let turbo = PhotoLimits {
        jpeg_decoder: JpegDecoder::Turbo,
        ..PhotoLimits::default()
    };
    let (mut ours, mut with_turbo, mut peer, mut ratios) = (vec![], vec![], vec![], vec![]);
    println!(
        "\n== CPU per photo, {} ({} bytes), {ROUNDS} rounds of {ITERATIONS}, order alternating",
        path.display(),
        bytes.len()
    );
    for round in 0..ROUNDS {
        let pillow = || match pillow_cpu_ms(path, ITERATIONS) {
            Ok((ms, line)) => {
                println!("round {round}: pillow peer {ms:.1} ms  {line}");
                Some(ms)
            }
            Err(e) => {
                println!("round {round}: pillow peer could not run: {e}");
                None
            }
        };
        let p_first = if round % 2 == 1 { pillow() } else { None };
        let o = ours_cpu_ms(bytes, ITERATIONS, PhotoLimits::default());
        println!("round {round}: qingling (sanitize + seal + store both) {o:.1} ms");
        let t = ours_cpu_ms(bytes, ITERATIONS, turbo);
        println!("round {round}: qingling with the libjpeg-turbo-rs decoder {t:.1} ms");
        let p = if round % 2 == 0 { pillow() } else { p_first };
        ours.push(o);
        with_turbo.push(t);
        if let Some(p) = p {
            peer.push(p);
            ratios.push(o / p);
        }
    }
    let (o, t) = (median(ours), median(with_turbo));
    print!(
        "median: qingling {o:.1} ms of CPU per photo ({t:.1} ms with libjpeg-turbo-rs decoding)"
    );
    if peer.is_empty() {
        println!();
    } else {
        println!(
            ", pillow {:.1} ms; median per-round ratio qingling/pillow {:.0} %",
            median(peer),
            median(ratios) * 100.0
        );
    }
}

/// Peak RSS (VmHWM, KiB) of this process.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one sanitize of `path` (or, with `baseline`, only reads it) in a fresh process and
/// returns that process's peak RSS in KiB.
fn peak_rss_of(path: &std::path::Path, baseline: bool) -> u64 {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .env("QINGLING_PHOTO_ONE_SHOT", path)
        .env("QINGLING_PHOTO_BASELINE", if baseline { "1" } else { "0" })
        .output()
        .expect("spawn one-shot");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib=")?.trim().parse().ok())
        .unwrap_or(0)
}

fn memory(paths: &[(&str, PathBuf)]) {
    println!("\n== peak RSS of one sanitize in a fresh process");
    for (name, path) in paths {
        let base = peak_rss_of(path, true);
        let with = peak_rss_of(path, false);
        println!(
            "{name}: {with} KiB peak ({} KiB above a process that only read the file, {base} KiB)",
            with.saturating_sub(base)
        );
    }
}

/// Runs everything on a one-thread rayon pool: the server sanitises on its CPU pool (see
/// `qingling_api::cpu_pool`), and under load every core is busy with a photo of its own, so the
/// decoder's tasks run in place on the calling thread. That is the CPU per photo to compare.
fn main() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool")
        .install(run);
}

fn run() {
    if let Some(path) = std::env::var_os("QINGLING_PHOTO_ONE_SHOT") {
        let bytes = std::fs::read(path).expect("read photo");
        if std::env::var("QINGLING_PHOTO_BASELINE").as_deref() != Ok("1") {
            let p = sanitize(&bytes, &PhotoLimits::default()).expect("sanitize");
            black_box(p);
        }
        black_box(bytes);
        println!("peak_rss_kib={}", peak_rss_kib());
        return;
    }
    let path = photo(4000, 3000);
    let bytes = std::fs::read(&path).expect("read photo");
    if let Some(other) = std::env::var_os("QINGLING_PHOTO_DECODERS") {
        // "1" for the generated photo, or the path of another JPEG.
        let other = if other == "1" {
            bytes
        } else {
            std::fs::read(other).expect("read")
        };
        decoder_cpu(&other);
        return;
    }
    let p = sanitize(&bytes, &PhotoLimits::default()).expect("sanitize");
    println!(
        "input {}x{} {} bytes -> display {}x{} {} bytes, thumb {}x{} {} bytes",
        4000,
        3000,
        bytes.len(),
        p.width,
        p.height,
        p.display.len(),
        p.thumb_width,
        p.thumb_height,
        p.thumb.len()
    );

    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &bytes);
    c.final_summary();

    side_by_side(&path, &bytes);
    memory(&[
        ("12 MP JPEG 4000x3000", path),
        ("48 MP JPEG 8000x6000", photo(8000, 6000)),
    ]);
}

/// CPU ms per decode of `bytes` at half scale, by decoder and setting (diagnostic; run with
/// `QINGLING_PHOTO_DECODERS=1`).
fn decoder_cpu(bytes: &[u8]) {
    let time = |name: &str, f: &dyn Fn()| {
        f();
        let start = process_cpu_ms();
        for _ in 0..10 {
            f();
        }
        println!("{name}: {:.1} ms CPU", (process_cpu_ms() - start) / 10.0);
    };
    for _ in 0..2 {
        time("jpeg-decoder half", &|| {
            let mut d = jpeg_decoder::Decoder::new(bytes);
            d.scale(2000, 1500).expect("scale");
            black_box(d.decode().expect("decode"));
        });
        time("libjpeg-turbo-rs half, defaults", &|| {
            let mut d = libjpeg_turbo_rs::Decoder::new(bytes).expect("new");
            d.set_scale(libjpeg_turbo_rs::ScalingFactor::try_new(1, 2).expect("scale"));
            black_box(d.decode_image().expect("decode"));
        });
        time("libjpeg-turbo-rs half, strict + limits", &|| {
            let mut d = libjpeg_turbo_rs::Decoder::new(bytes).expect("new");
            d.set_max_pixels(50_000_000);
            d.set_max_memory(500_000_000);
            d.set_stop_on_warning(true);
            d.set_lenient(false);
            d.set_scale(libjpeg_turbo_rs::ScalingFactor::try_new(1, 2).expect("scale"));
            black_box(d.decode_image().expect("decode"));
        });
        time("zune-jpeg full scale (the image crate's decoder)", &|| {
            black_box(
                image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                    .expect("decode"),
            );
        });
        time("whole sanitize", &|| {
            black_box(sanitize(bytes, &PhotoLimits::default()).expect("sanitize"));
        });
    }
    let mut total = StageTimes::default();
    for _ in 0..10 {
        let (_, t) = sanitize_timed(bytes, &PhotoLimits::default()).expect("sanitize");
        total = StageTimes {
            decode: total.decode + t.decode,
            resize: total.resize + t.resize,
            orient: total.orient + t.orient,
            encode: total.encode + t.encode,
            hash: total.hash + t.hash,
        };
    }
    let ms = |d: Duration| d.as_secs_f64() * 100.0;
    println!(
        "sanitize stages, mean of 10 (wall ms): decode {:.1}, resize {:.1}, orient {:.1}, encode {:.1}, hash {:.1}",
        ms(total.decode),
        ms(total.resize),
        ms(total.orient),
        ms(total.encode),
        ms(total.hash)
    );
}
