//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-symbol alphabet, the last one a check character. Checking it catches typos when an
//! enterprise is registered.

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, if they are all valid.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in bytes.iter().zip(WEIGHTS) {
        sum += value(*b)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(ALPHABET[c as usize] as char)
}

/// Normalises (trim, upper case) and validates a code, returning it when valid.
pub fn parse(input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() != 18 || !code.is_ascii() {
        return None;
    }
    let expected = check_char(&code[..17])?;
    (code.as_bytes()[17] as char == expected).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_published_code_and_rejects_a_typo() {
        // A real, published code (a state-owned company's registration).
        assert_eq!(
            parse("91350100M000100Y43").as_deref(),
            Some("91350100M000100Y43")
        );
        assert!(parse("91350100M000100Y44").is_none());
        assert!(parse("91350100M000100Y4").is_none());
        assert!(parse("91350100I000100Y43").is_none());
    }

    #[test]
    fn lower_case_is_normalised() {
        assert!(parse(" 91350100m000100y43 ").is_some());
    }
}
