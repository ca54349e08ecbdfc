//! Small helpers: ids, time stamps, hashing, percent-encoding and file-name rules.

use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS RNG only fails on exotic platforms; a zeroed id would be a security bug, so
    // fall back to a time-and-counter mix that is at least unique.
    if getrandom::fill(&mut buf).is_err() {
        let seed = now_nanos().to_le_bytes();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = seed[i % seed.len()] ^ (i as u8).wrapping_mul(151);
        }
    }
    buf
}

/// A random UUID v4 string.
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of a string, as lower-case hex.
pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Current Unix time in seconds.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds as ISO-8601 UTC with milliseconds (`2025-01-31T12:00:00.000Z`).
pub fn iso8601(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM`, to Unix seconds.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || date.len() != 10 {
        return None;
    }
    let mut secs = days_from_civil(y, m as u32, d as u32) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let off = &t[i + 1..];
            let (oh, om) = off
                .split_once(':')
                .unwrap_or((off.get(..2)?, off.get(2..)?));
            let sign = if &t[i..=i] == "-" { -1 } else { 1 };
            (&t[..i], sign * (num(oh)? * 3600 + num(om)? * 60))
        } else {
            (t, 0)
        };
        let clock = clock.split('.').next()?;
        let mut cp = clock.split(':');
        let h = num(cp.next()?)?;
        let mi = num(cp.next()?)?;
        let se = match cp.next() {
            Some(x) => num(x)?,
            None => 0,
        };
        if h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs += h * 3600 + mi * 60 + se - offset;
    }
    Some(secs)
}

/// JSON text with every non-ASCII character escaped (`\\uXXXX`), safe for HTTP headers.
pub fn ascii_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in v.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Write every whole-valued number (`471.0`) as an integer, in place: JSON Schema's
/// `integer` takes `471.0`, so the request bodies do too. Fractions stay (and integer
/// fields refuse them, DECISIONS 14).
pub fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(integral_numbers),
        Value::Object(o) => o.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Percent-encode like JavaScript's `encodeURIComponent`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `ext` (without the dot) names a format ashim knows, or PDF: the extensions an
/// uploaded name may keep and the file library stores.
pub fn known_extension(ext: &str) -> bool {
    ext.eq_ignore_ascii_case("pdf") || ashim_core::ImageFormat::from_name(ext).is_some()
}

/// Sanitise an uploaded file name (tools-essentials 0.7).
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit('/').next().unwrap_or(raw);
    let mut name = base.replace("..", "").replace('\0', "").replace('\\', "_");
    if name.is_empty() || name == "." {
        name = "upload".to_string();
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 1 {
        for i in 1..parts.len() {
            if known_extension(parts[i]) {
                name = parts[..=i].join(".");
                break;
            }
        }
    }
    if name.len() > 200 {
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (name[..i].to_string(), name[i..].to_string()),
            _ => (name.clone(), String::new()),
        };
        let mut stem = stem;
        while stem.len() + ext.len() > 200 && !stem.is_empty() {
            stem.pop();
        }
        name = format!("{stem}{ext}");
        while name.len() > 200 {
            name.pop();
        }
    }
    name
}

/// Insert `_<suffix>` before the extension (`photo.png` → `photo_resize.png`).
pub fn with_suffix(name: &str, suffix: &str) -> String {
    match ashim_core::naming::extension(name) {
        Some(ext) => format!("{}_{suffix}{ext}", ashim_core::naming::stem(name)),
        None => format!("{name}_{suffix}"),
    }
}

/// Whether a path segment is safe to join to a directory (no traversal, no separators).
pub fn is_safe_segment(s: &str) -> bool {
    !s.is_empty() && !s.contains("..") && !s.contains(['/', '\\', '\0']) && s != "."
}

/// `Content-Type` for a download, from the extension: image formats as the core names them,
/// plus the archive and document types the server writes.
pub fn mime_from_name(name: &str) -> &'static str {
    let ext = ashim_core::naming::extension(name).map(|e| e[1..].to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("json") => "application/json",
        Some(other) => ashim_core::ImageFormat::from_name(other).map_or(
            "application/octet-stream",
            ashim_core::ImageFormat::mime_type,
        ),
        None => "application/octet-stream",
    }
}

/// Whether a client-chosen job id is acceptable (`[A-Za-z0-9_-]{1,64}`).
pub fn valid_client_job_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_become_integers() {
        let mut v = serde_json::json!({"a": 471.0, "b": [2.5, -3.0], "c": {"d": 1e300}, "e": 7});
        integral_numbers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 471, "b": [2.5, -3], "c": {"d": 1e300}, "e": 7})
        );
        assert!(v["a"].is_i64());
    }

    #[test]
    fn iso_round_trip() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_738_324_800), "2025-01-31T12:00:00.000Z");
        assert_eq!(
            parse_iso8601("2025-01-31T12:00:00.000Z"),
            Some(1_738_324_800)
        );
        assert_eq!(
            parse_iso8601("2025-01-31T14:00:00+02:00"),
            Some(1_738_324_800)
        );
        assert_eq!(parse_iso8601("2025-01-31"), Some(1_738_281_600));
        assert_eq!(parse_iso8601("not a date"), None);
        assert_eq!(parse_iso8601("2025-13-01"), None);
    }

    #[test]
    fn filenames() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("photo.png.php"), "photo.png");
        assert_eq!(sanitize_filename("exploit.php.png"), "exploit.php.png");
        assert_eq!(sanitize_filename(".."), "upload");
        assert_eq!(sanitize_filename("photo.heic"), "photo.heic");
        let long = format!("{}.png", "a".repeat(300));
        let s = sanitize_filename(&long);
        assert_eq!(s.len(), 200);
        assert!(s.ends_with(".png"));
        assert_eq!(with_suffix("photo.png", "resize"), "photo_resize.png");
        assert_eq!(with_suffix("name", "resize"), "name_resize");
        assert_eq!(with_suffix(".png", "resize"), ".png_resize");
    }

    #[test]
    fn ids_and_encoding() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(uuid_v4(), id);
        assert_eq!(percent_encode("a b/ü.png"), "a%20b%2F%C3%BC.png");
        let j = serde_json::json!({"0": "ü😀.png"});
        let a = ascii_json(&j);
        assert!(a.is_ascii(), "{a}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&a).unwrap(), j);
        assert_eq!(sanitize_filename("..\\..\\x.png"), "__x.png");
        assert!(valid_client_job_id("test-job_1"));
        assert!(!valid_client_job_id("bad id"));
        assert!(!valid_client_job_id(&"a".repeat(65)));
        assert!(!is_safe_segment(".."));
        assert!(!is_safe_segment("a/b"));
        assert!(is_safe_segment("photo.png"));
    }
}
