//! Just enough EXIF (a TIFF structure) to read and reset the orientation tag in place.

const ORIENTATION: u16 = 0x0112;

/// Strip a leading `Exif\0\0` (as found in JPEG APP1 and some WebP files).
pub(crate) fn strip_exif_header(data: &[u8]) -> &[u8] {
    data.strip_prefix(b"Exif\0\0").unwrap_or(data)
}

/// Position of the orientation value inside a TIFF-structured EXIF block, and the byte order.
fn orientation_slot(tiff: &[u8]) -> Option<(usize, bool)> {
    let little = match tiff.get(0..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(o..o + 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(o..o + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    for i in 0..count.min(512) {
        let entry = ifd + 2 + i * 12;
        if u16_at(entry)? == ORIENTATION {
            // type SHORT (3), count 1: the value sits in the first two bytes of the value field.
            if u16_at(entry + 2)? != 3 {
                return None;
            }
            return Some((entry + 8, little));
        }
    }
    None
}

/// The EXIF orientation (1–8), if present and valid.
pub(crate) fn orientation(tiff: &[u8]) -> Option<u8> {
    let (slot, little) = orientation_slot(tiff)?;
    let b: [u8; 2] = tiff.get(slot..slot + 2)?.try_into().ok()?;
    let v = if little {
        u16::from_le_bytes(b)
    } else {
        u16::from_be_bytes(b)
    };
    (1..=8).contains(&v).then_some(v as u8)
}

/// Set the orientation tag to 1 (upright) in place, keeping every other tag.
pub(crate) fn reset_orientation(tiff: &mut [u8]) {
    if let Some((slot, little)) = orientation_slot(tiff) {
        let one = if little {
            1u16.to_le_bytes()
        } else {
            1u16.to_be_bytes()
        };
        tiff[slot..slot + 2].copy_from_slice(&one);
    }
}

#[cfg(test)]
pub(crate) fn tiff_with_orientation(value: u16) -> Vec<u8> {
    let mut v = b"II*\0".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&ORIENTATION.to_le_bytes());
    v.extend_from_slice(&3u16.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend_from_slice(&value.to_le_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_resets_orientation() {
        let mut t = tiff_with_orientation(6);
        assert_eq!(orientation(&t), Some(6));
        reset_orientation(&mut t);
        assert_eq!(orientation(&t), Some(1));
        assert_eq!(orientation(b"garbage"), None);
        assert_eq!(orientation(&[]), None);
    }
}
