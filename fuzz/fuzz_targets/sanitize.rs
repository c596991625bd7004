//! The photo sanitiser with the server's default limits: every upload a stranger can send goes
//! through `sanitize` on the CPU pool. A refusal is fine; a panic that escapes, a hang past
//! libFuzzer's `-timeout` or memory past its `-rss_limit_mb` is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingling_api::media::{PhotoLimits, sanitize};

fuzz_target!(|data: &[u8]| {
    let limits = PhotoLimits::default();
    if let Ok(photo) = sanitize(data, &limits) {
        // What the server stores must be a bare JPEG within the display size.
        assert!(photo.display.starts_with(&[0xFF, 0xD8]));
        assert!(photo.width.max(photo.height) <= qingling_api::media::DISPLAY_EDGE);
        assert!(photo.thumb_width.max(photo.thumb_height) <= qingling_api::media::THUMB_EDGE);
    }
});
