//! `strip-metadata` (tools-essentials §7): remove all metadata, or exactly the flagged groups
//! (EXIF, GPS, ICC, XMP), each flag honoured on its own (DECISIONS 11); and its `/inspect`
//! sub-route, a typed report of the metadata a file carries.

use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{Image, Metadata};
use crate::io::{self, jpeg};
use crate::tool::{Caps, Category, Inputs, Output, OutputKind, SubRoute, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Settings of [`StripMetadata`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct StripMetadataSettings {
    /// Remove the whole EXIF block (GPS included). Default false.
    pub strip_exif: bool,
    /// Remove only the GPS part of EXIF (location), keeping the other tags. Default false.
    pub strip_gps: bool,
    /// Remove the ICC colour profile. Default false.
    pub strip_icc: bool,
    /// Remove the XMP packet. Default false.
    pub strip_xmp: bool,
    /// Remove every metadata block; wins over the other flags. Default true.
    pub strip_all: bool,
}

impl Default for StripMetadataSettings {
    fn default() -> Self {
        Self {
            strip_exif: false,
            strip_gps: false,
            strip_icc: false,
            strip_xmp: false,
            strip_all: true,
        }
    }
}

/// Remove metadata from `meta` as `s` says.
pub fn strip(meta: &mut Metadata, s: &StripMetadataSettings) {
    if s.strip_all {
        *meta = Metadata::default();
        return;
    }
    if s.strip_exif {
        meta.exif = None;
    } else if s.strip_gps
        && let Some(exif) = meta.exif.as_mut()
    {
        remove_gps_ifd(exif);
    }
    if s.strip_icc {
        meta.icc = None;
    }
    if s.strip_xmp {
        meta.xmp = None;
    }
}

const GPS_POINTER: u16 = 0x8825;

/// Sizes in bytes of the TIFF field types 1–12.
fn type_size(t: u16) -> usize {
    match t {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}

/// Unlink the GPS IFD from IFD0 and zero its entries and their values, in place, so no
/// location bytes remain; every other tag is kept.
pub fn remove_gps_ifd(tiff: &mut [u8]) {
    let little = match tiff.get(0..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return,
    };
    let rd16 = |t: &[u8], o: usize| -> Option<u16> {
        let b: [u8; 2] = t.get(o..o + 2)?.try_into().ok()?;
        Some(if little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
    };
    let rd32 = |t: &[u8], o: usize| -> Option<u32> {
        let b: [u8; 4] = t.get(o..o + 4)?.try_into().ok()?;
        Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let Some(ifd0) = rd32(tiff, 4).map(|v| v as usize) else {
        return;
    };
    let Some(count) = rd16(tiff, ifd0).map(usize::from) else {
        return;
    };
    let entries = ifd0 + 2;
    let Some(pos) = (0..count.min(512)).find(|i| rd16(tiff, entries + i * 12) == Some(GPS_POINTER))
    else {
        return;
    };
    let Some(gps) = rd32(tiff, entries + pos * 12 + 8).map(|v| v as usize) else {
        return;
    };
    let end = entries + count * 12 + 4;
    if end > tiff.len() {
        return;
    }
    // Zero the GPS IFD's out-of-line values, then its entries.
    if let Some(n) = rd16(tiff, gps).map(usize::from) {
        for i in 0..n.min(512) {
            let e = gps + 2 + i * 12;
            let (Some(ty), Some(cnt), Some(off)) = (rd16(tiff, e + 2), rd32(tiff, e + 4), rd32(tiff, e + 8))
            else {
                break;
            };
            let size = type_size(ty).saturating_mul(cnt as usize);
            let off = off as usize;
            if size > 4 && off.saturating_add(size) <= tiff.len() {
                tiff[off..off + size].fill(0);
            }
        }
        let span = (2 + n * 12 + 4).min(tiff.len().saturating_sub(gps));
        tiff[gps..gps + span].fill(0);
    }
    // Drop the pointer entry from IFD0: shift the later entries and the next-IFD offset.
    let from = entries + (pos + 1) * 12;
    tiff.copy_within(from..end, from - 12);
    tiff[end - 12..end].fill(0);
    let new = (count - 1) as u16;
    let b = if little { new.to_le_bytes() } else { new.to_be_bytes() };
    tiff[ifd0..ifd0 + 2].copy_from_slice(&b);
}

static META: ToolMeta = ToolMeta {
    id: "strip-metadata",
    name: "Strip metadata",
    description: "Remove EXIF, GPS, ICC and XMP metadata, all of it or the groups you pick.",
    category: Category::Metadata,
    ..ToolMeta::ONE_IMAGE
};

/// The `strip-metadata` tool.
pub struct StripMetadata;

impl Tool for StripMetadata {
    type Settings = StripMetadataSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &StripMetadataSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let mut image: Image = inputs.image(0)?;
        strip(&mut image.metadata, settings);
        Ok(Output::Image(image))
    }
}

/// `/inspect` has no settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct InspectSettings {}

/// The metadata a file carries; absent groups are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetadataReport {
    /// File name, `image` when unknown.
    pub filename: String,
    /// File size in bytes.
    pub file_size: usize,
    /// Tags of IFD0, the Exif IFD and the Interop IFD by standard name; dates as ISO-8601,
    /// rationals as numbers, short blobs as byte arrays, long ones as `<binary N bytes>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exif: Option<Map<String, Value>>,
    /// Set when the EXIF block could not be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exif_error: Option<String>,
    /// GPS tags by name plus `_latitude`, `_longitude` (decimal degrees) and `_altitude`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps: Option<Map<String, Value>>,
    /// ICC header facts: `Profile Size`, `Color Space`, `Connection Space`, `Device Class`,
    /// `Version`, `Description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icc: Option<Map<String, Value>>,
    /// Every `prefix:name="value"` attribute of the XMP packet (no `xmlns:` or `rdf:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xmp: Option<Map<String, Value>>,
}

/// Read the metadata blocks of `data` without decoding pixels where the container allows.
pub fn read_metadata(data: &[u8], name: Option<&str>, ctx: &crate::Context) -> Result<Metadata> {
    let header = io::probe(data, name)?;
    if header.format == ImageFormat::Jpeg {
        let mut meta = jpeg::scan_header(data)?.metadata;
        if let Some(e) = meta.exif.as_mut() {
            let raw = io::exif::strip_exif_header(e).to_vec();
            *e = raw;
        }
        return Ok(meta);
    }
    Ok(ctx.decode(data, name, None)?.metadata)
}

/// Build the `/inspect` report for a file's metadata.
pub fn inspect(meta: &Metadata, name: Option<&str>, size: usize) -> MetadataReport {
    let mut report = MetadataReport {
        filename: name.unwrap_or("image").to_string(),
        file_size: size,
        ..MetadataReport::default()
    };
    if let Some(exif) = meta.exif.as_deref() {
        match exif::Reader::new().read_raw(exif.to_vec()) {
            Ok(parsed) => {
                let (tags, gps) = exif_maps(&parsed);
                report.exif = (!tags.is_empty()).then_some(tags);
                report.gps = (!gps.is_empty()).then_some(gps);
            }
            Err(_) => report.exif_error = Some("Failed to parse EXIF data".into()),
        }
    }
    report.icc = meta.icc.as_deref().map(icc_map);
    report.xmp = meta.xmp.as_deref().map(xmp_map);
    report
}

fn exif_value(v: &exif::Value) -> Value {
    use exif::Value as V;
    fn many<T: Into<Value> + Copy>(xs: &[T]) -> Value {
        match xs {
            [one] => (*one).into(),
            _ => Value::Array(xs.iter().map(|&x| x.into()).collect()),
        }
    }
    fn blob(b: &[u8]) -> Value {
        if b.len() > 256 {
            json!(format!("<binary {} bytes>", b.len()))
        } else {
            many(b)
        }
    }
    match v {
        V::Ascii(parts) => {
            let s: Vec<String> = parts
                .iter()
                .map(|p| String::from_utf8_lossy(p).trim_end_matches('\0').to_string())
                .collect();
            let s = s.join(" ");
            json!(iso_date(&s).unwrap_or(s))
        }
        // Version tags (ExifVersion "0232", FlashpixVersion "0100") and other UNDEFINED
        // values that are plain text read as text, not as a list of byte values.
        V::Undefined(b, _) if !b.is_empty() && b.iter().all(|c| c.is_ascii_graphic() || *c == b' ') => {
            json!(String::from_utf8_lossy(b).trim_end().to_string())
        }
        V::Byte(b) | V::Undefined(b, _) => blob(b),
        V::SByte(b) => many(b),
        V::Short(x) => many(x),
        V::SShort(x) => many(x),
        V::Long(x) => many(x),
        V::SLong(x) => many(x),
        V::Float(x) => many(x),
        V::Double(x) => many(x),
        V::Rational(x) => many(&x.iter().map(|r| r.to_f64()).collect::<Vec<_>>()),
        V::SRational(x) => many(&x.iter().map(|r| r.to_f64()).collect::<Vec<_>>()),
        V::Unknown(..) => Value::Null,
    }
}

/// `2024:01:02 03:04:05` → `2024-01-02T03:04:05`.
fn iso_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 19
        && b[4] == b':'
        && b[7] == b':'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && s.chars().filter(char::is_ascii_digit).count() == 14;
    ok.then(|| format!("{}-{}-{}T{}", &s[0..4], &s[5..7], &s[8..10], &s[11..]))
}

fn exif_maps(parsed: &exif::Exif) -> (Map<String, Value>, Map<String, Value>) {
    let (mut tags, mut gps) = (Map::new(), Map::new());
    for f in parsed.fields().filter(|f| f.ifd_num == exif::In::PRIMARY) {
        let key = f.tag.to_string();
        let value = exif_value(&f.value);
        match f.tag.context() {
            exif::Context::Gps => {
                gps.insert(key, value);
            }
            _ => {
                tags.insert(key, value);
            }
        }
    }
    let deg = |tag: exif::Tag, reference: exif::Tag, neg: &[u8]| -> Option<f64> {
        let f = parsed.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(r) = &f.value else {
            return None;
        };
        let d = r.first()?.to_f64() + r.get(1).map_or(0.0, |m| m.to_f64() / 60.0)
            + r.get(2).map_or(0.0, |s| s.to_f64() / 3600.0);
        let negative = parsed
            .get_field(reference, exif::In::PRIMARY)
            .and_then(|f| match &f.value {
                exif::Value::Ascii(a) => a.first().and_then(|s| s.first()).copied(),
                _ => None,
            })
            .is_some_and(|c| neg.contains(&c));
        Some(if negative { -d } else { d })
    };
    if let Some(lat) = deg(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b"S") {
        gps.insert("_latitude".into(), json!(lat));
    }
    if let Some(lon) = deg(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b"W") {
        gps.insert("_longitude".into(), json!(lon));
    }
    if let Some(f) = parsed.get_field(exif::Tag::GPSAltitude, exif::In::PRIMARY)
        && let exif::Value::Rational(r) = &f.value
        && let Some(alt) = r.first()
    {
        let below = parsed
            .get_field(exif::Tag::GPSAltitudeRef, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            == Some(1);
        gps.insert("_altitude".into(), json!(if below { -alt.to_f64() } else { alt.to_f64() }));
    }
    (tags, gps)
}

fn icc_map(icc: &[u8]) -> Map<String, Value> {
    let mut m = Map::new();
    if icc.len() < 128 {
        return m;
    }
    let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&icc[r]).trim().to_string();
    let class = match &icc[12..16] {
        b"scnr" => "Input (Scanner)".to_string(),
        b"mntr" => "Display (Monitor)".to_string(),
        b"prtr" => "Output (Printer)".to_string(),
        b"link" => "Device Link".to_string(),
        b"spac" => "Color Space".to_string(),
        b"abst" => "Abstract".to_string(),
        b"nmcl" => "Named Color".to_string(),
        _ => text(12..16),
    };
    m.insert("Profile Size".into(), json!(format!("{} bytes", icc.len())));
    m.insert("Color Space".into(), json!(text(16..20)));
    m.insert("Connection Space".into(), json!(text(20..24)));
    m.insert("Device Class".into(), json!(class));
    m.insert("Version".into(), json!(format!("{}.{}", icc[8], icc[9] >> 4)));
    if let Some(d) = icc_description(icc) {
        m.insert("Description".into(), json!(d));
    }
    m
}

fn icc_description(icc: &[u8]) -> Option<String> {
    let be32 = |o: usize| -> Option<usize> {
        Some(u32::from_be_bytes(icc.get(o..o + 4)?.try_into().ok()?) as usize)
    };
    let count = be32(128)?;
    for i in 0..count.min(256) {
        let e = 132 + i * 12;
        if icc.get(e..e + 4)? != b"desc" {
            continue;
        }
        let (off, len) = (be32(e + 4)?, be32(e + 8)?);
        let tag = icc.get(off..off.checked_add(len)?)?;
        return match tag.get(0..4)? {
            b"desc" => {
                let n = u32::from_be_bytes(tag.get(8..12)?.try_into().ok()?) as usize;
                let s = tag.get(12..12 + n)?;
                Some(String::from_utf8_lossy(s).trim_end_matches('\0').to_string())
            }
            b"mluc" => {
                let rec_len = u32::from_be_bytes(tag.get(20..24)?.try_into().ok()?) as usize;
                let rec_off = u32::from_be_bytes(tag.get(24..28)?.try_into().ok()?) as usize;
                let units: Vec<u16> = tag
                    .get(rec_off..rec_off + rec_len)?
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                Some(String::from_utf16_lossy(&units))
            }
            _ => None,
        };
    }
    None
}

fn xmp_map(xmp: &[u8]) -> Map<String, Value> {
    let text = String::from_utf8_lossy(xmp);
    let mut m = Map::new();
    let mut rest: &str = &text;
    while let Some(eq) = rest.find("=\"") {
        let key_start = rest[..eq]
            .rfind(|c: char| c.is_whitespace() || c == '<')
            .map_or(0, |i| i + 1);
        let key = &rest[key_start..eq];
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else { break };
        if key.contains(':') && !key.starts_with("xmlns:") && !key.starts_with("rdf:") {
            m.insert(key.to_string(), json!(&after[..end]));
        }
        rest = &after[end + 1..];
    }
    m
}

static INSPECT_META: ToolMeta = ToolMeta {
    id: "strip-metadata/inspect",
    name: "Inspect metadata",
    description: "Report the EXIF, GPS, ICC and XMP metadata a file carries, as JSON.",
    category: Category::Metadata,
    output: OutputKind::Json,
    caps: Caps::NONE,
    route: Some(SubRoute {
        parent: "strip-metadata",
        path: "inspect",
    }),
    ..ToolMeta::ONE_IMAGE
};

/// The `strip-metadata/inspect` sub-route.
pub struct StripMetadataInspect;

impl Tool for StripMetadataInspect {
    type Settings = InspectSettings;

    fn meta(&self) -> &'static ToolMeta {
        &INSPECT_META
    }

    fn report_schema(&self) -> Option<Value> {
        Some(crate::tool::report_schema::<MetadataReport>())
    }

    fn run(&self, _: &InspectSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let report = match inputs.file(0) {
            Some(f) => {
                let meta = read_metadata(&f.data, f.name.as_deref(), ctx).map_err(|e| {
                    Error::new(
                        ErrorKind::Unprocessable,
                        format!("Failed to read image metadata: {}", e.message()),
                    )
                })?;
                inspect(&meta, f.name.as_deref(), f.data.len())
            }
            None => {
                let image = inputs.image(0)?;
                inspect(&image.metadata, image.name.as_deref(), 0)
            }
        };
        Output::report(&report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IFD0 with Make and a GPS pointer; GPS IFD with a latitude rational.
    fn tiff_with_gps() -> Vec<u8> {
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        // Make, ASCII, 4 bytes inline: "Acm\0"
        t.extend_from_slice(&0x010fu16.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&4u32.to_le_bytes());
        t.extend_from_slice(b"Acm\0");
        // GPS pointer -> 38
        t.extend_from_slice(&GPS_POINTER.to_le_bytes());
        t.extend_from_slice(&4u16.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&38u32.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes()); // next IFD
        assert_eq!(t.len(), 38);
        // GPS IFD: 1 entry, GPSLatitude (2), RATIONAL x3 at offset 56
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&5u16.to_le_bytes());
        t.extend_from_slice(&3u32.to_le_bytes());
        t.extend_from_slice(&56u32.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), 56);
        for (n, d) in [(52u32, 1u32), (30, 1), (0, 1)] {
            t.extend_from_slice(&n.to_le_bytes());
            t.extend_from_slice(&d.to_le_bytes());
        }
        t
    }

    #[test]
    fn gps_is_removed_and_the_rest_is_kept() {
        let tiff = tiff_with_gps();
        let before = inspect(
            &Metadata {
                exif: Some(tiff.clone()),
                ..Metadata::default()
            },
            None,
            0,
        );
        assert_eq!(before.gps.as_ref().unwrap()["_latitude"], json!(52.5));
        let mut stripped = tiff.clone();
        remove_gps_ifd(&mut stripped);
        assert_eq!(stripped.len(), tiff.len());
        assert!(!stripped.windows(4).any(|w| w == 52u32.to_le_bytes()));
        let after = inspect(
            &Metadata {
                exif: Some(stripped),
                ..Metadata::default()
            },
            None,
            0,
        );
        assert!(after.gps.is_none(), "{after:?}");
        assert_eq!(after.exif.unwrap()["Make"], json!("Acm"));
    }

    #[test]
    fn each_flag_strips_only_its_group() {
        let full = Metadata {
            icc: Some(vec![0; 200]),
            exif: Some(tiff_with_gps()),
            xmp: Some(b"<x a:b=\"c\"/>".to_vec()),
        };
        let none = StripMetadataSettings {
            strip_all: false,
            ..StripMetadataSettings::default()
        };
        let mut m = full.clone();
        strip(&mut m, &StripMetadataSettings { strip_icc: true, ..none.clone() });
        assert!(m.icc.is_none() && m.exif.is_some() && m.xmp.is_some());
        let mut m = full.clone();
        strip(&mut m, &StripMetadataSettings { strip_xmp: true, ..none.clone() });
        assert!(m.icc.is_some() && m.exif.is_some() && m.xmp.is_none());
        let mut m = full.clone();
        strip(&mut m, &StripMetadataSettings { strip_exif: true, ..none.clone() });
        assert!(m.icc.is_some() && m.exif.is_none() && m.xmp.is_some());
        let mut m = full.clone();
        strip(&mut m, &none);
        assert_eq!(m, full);
        let mut m = full;
        strip(&mut m, &StripMetadataSettings::default());
        assert!(m.is_empty());
    }

    #[test]
    fn xmp_attributes_and_dates() {
        let m = xmp_map(br#"<rdf:Description xmlns:dc="x" rdf:about="" dc:creator="Ann" xmp:Rating="5"/>"#);
        assert_eq!(m.len(), 2);
        assert_eq!(m["dc:creator"], json!("Ann"));
        assert_eq!(iso_date("2024:01:02 03:04:05").unwrap(), "2024-01-02T03:04:05");
        assert_eq!(iso_date("hello"), None);
    }
}
