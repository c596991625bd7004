//! `qr-decode FILE.png`: prints the text of every QR code found in a picture, one per line (exit
//! 1 when there is none). The browser tests decode a screenshot of a printed poster with it, so
//! the code on the page is read the way a phone reads it (`rqrr`, no Python decoder needed).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: qr-decode FILE");
        return ExitCode::from(2);
    };
    let img = match image::open(&path) {
        Ok(img) => img.to_luma8(),
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let mut found = 0;
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            println!("{text}");
            found += 1;
        }
    }
    if found == 0 {
        eprintln!("{path}: no QR code found");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
