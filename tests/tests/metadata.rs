//! EXIF orientation is applied and reset to 1; ICC, EXIF and XMP travel to the output.

use ashim_core::image::{Image, Metadata};
use ashim_core::{Context, ImageFormat, InputFile, Outcome};
use serde_json::json;

fn exif_with_orientation(value: u16) -> Vec<u8> {
    let mut v = b"II*\0".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&0x0112u16.to_le_bytes());
    v.extend_from_slice(&3u16.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend_from_slice(&value.to_le_bytes());
    v.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    v
}

/// A 40x20 JPEG whose left half is black and right half white, tagged orientation 6.
fn rotated_jpeg(icc: Option<Vec<u8>>) -> Vec<u8> {
    let px = image::RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut img = Image::from_dynamic(image::DynamicImage::ImageRgb8(px));
    img.metadata = Metadata {
        icc,
        exif: Some(exif_with_orientation(6)),
        xmp: Some(b"<x:xmpmeta>ashim</x:xmpmeta>".to_vec()),
    };
    img.encode = Some(ashim_core::image::EncodeSpec::new(ImageFormat::Jpeg));
    ashim_core::io::encode(&img).unwrap().data
}

#[test]
fn orientation_is_applied_and_reset_keeping_the_rest() {
    let fake_icc = vec![7u8; 3000];
    let src = rotated_jpeg(Some(fake_icc.clone()));
    assert_eq!(ashim_core::io::probe(&src, None).unwrap().orientation, 6);
    let img = ashim_core::io::decode(&src, None, &Default::default()).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (20, 40),
        "upright after orientation 6"
    );
    // Orientation 6 = rotate 90° clockwise: the black left half ends up on top.
    let px = img.first().to_luma8();
    assert!(px.get_pixel(10, 5).0[0] < 40 && px.get_pixel(10, 35).0[0] > 215);

    for format in ["jpg", "png", "webp"] {
        let out = ashim_core::run(
            "convert",
            vec![InputFile::new(src.clone(), None)],
            &json!({"format": format}),
            &Context::default(),
        )
        .unwrap();
        let Outcome::Image { encoded, .. } = out else {
            panic!()
        };
        let back = ashim_core::io::decode(&encoded.data, None, &Default::default()).unwrap();
        assert_eq!(
            (back.width(), back.height()),
            (20, 40),
            "{format}: not rotated twice"
        );
        assert_eq!(
            ashim_core::io::probe(&encoded.data, None)
                .unwrap()
                .orientation,
            1,
            "{format}: tag reset to 1"
        );
        assert_eq!(
            back.metadata.icc.as_deref(),
            Some(fake_icc.as_slice()),
            "{format}: ICC kept"
        );
        assert!(back.metadata.exif.is_some(), "{format}: EXIF kept");
        if format != "webp" {
            assert_eq!(
                back.metadata.xmp.as_deref(),
                Some(&b"<x:xmpmeta>ashim</x:xmpmeta>"[..]),
                "{format}: XMP kept"
            );
        }
    }
}

#[test]
fn real_exif_survives_a_resize() {
    let data = ashim_tests::fixture("test-with-exif.jpg");
    let before = ashim_core::io::decode(&data, None, &Default::default()).unwrap();
    assert!(before.metadata.exif.is_some());
    let out = ashim_core::run(
        "resize",
        vec![InputFile::new(data, None)],
        &json!({"width": 50}),
        &Context::default(),
    )
    .unwrap();
    let Outcome::Image { encoded, .. } = out else {
        panic!()
    };
    let after = ashim_core::io::decode(&encoded.data, None, &Default::default()).unwrap();
    assert_eq!(after.metadata.exif, before.metadata.exif);
}
