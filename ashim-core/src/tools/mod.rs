//! One file per tool: settings struct, a plain function, and the [`Tool`](crate::Tool) impl.
//!
//! Adding a tool is its file and one line in the [`tools!`] list below: the line declares the
//! module and registers every tool type it names (a tool and its sub-routes share a line).

/// Declares each tool module and the registry's list of tools, in catalogue order.
macro_rules! tools {
    ($($module:ident => $($tool:ident),+;)*) => {
        $(pub mod $module;)*

        /// Every tool type of the list above, boxed, in catalogue order.
        pub(crate) fn all() -> Vec<Box<dyn crate::tool::DynTool>> {
            vec![$($(Box::new($module::$tool) as Box<dyn crate::tool::DynTool>),+),*]
        }
    };
}

tools! {
    resize => Resize;
    crop => Crop;
    rotate => Rotate;
    convert => Convert;
    compress => Compress;
    info => Info;
    split => Split;
    stitch => Stitch;
    qr_generate => QrGenerate;
    blur => Blur;
    watermark_image => WatermarkImage;
    strip_metadata => StripMetadata, StripMetadataInspect;
    remove_background => RemoveBackground, RemoveBackgroundEffects;
    blur_faces => BlurFaces;
    upscale => Upscale;
    ocr => Ocr;
    erase_object => EraseObject;
    red_eye_removal => RedEyeRemoval;
    colorize => Colorize;
    noise_removal => NoiseRemoval;
    restore_photo => RestorePhoto;
    enhance_faces => EnhanceFaces;
    passport_photo => PassportPhoto, PassportPhotoAnalyze, PassportPhotoGenerate;
    adjust_colors => AdjustColors;
    sharpening => Sharpening;
    replace_color => ReplaceColor;
    image_enhancement => ImageEnhancement, ImageEnhancementAnalyze;
    border => Border;
    compose => Compose;
    compare => Compare;
    find_duplicates => FindDuplicates;
    color_palette => ColorPalette;
    trim => Trim;
    watermark_text => WatermarkText;
    text_overlay => TextOverlay;
    barcode_read => BarcodeRead;
    collage => Collage;
    content_aware_resize => ContentAwareResize;
    smart_crop => SmartCrop;
}
