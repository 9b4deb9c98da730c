//! PNG facts from the chunks before the first IDAT, read with the `png`
//! crate (`read_info` stops there and never decodes pixels; its limits
//! bound what a compressed ICC profile may inflate to): IHDR, pHYs, iCCP,
//! tRNS.

use super::{icc, ImageError, ImageInfo, Resolution, Unit};
use ::png::{ColorType, Decoder, Limits, PixelDimensions};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// What the decoder may allocate for the metadata (an ICC profile is a few MB at most).
const LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// Reads a PNG's facts.
pub fn read(path: &Path) -> Result<ImageInfo, ImageError> {
    let file = File::open(path).map_err(|e| super::io_error("PNG", &e))?;
    let mut decoder = Decoder::new_with_limits(BufReader::new(file), Limits { bytes: LIMIT_BYTES });
    decoder.set_ignore_text_chunk(true);
    let reader = decoder.read_info().map_err(damaged)?;
    let info = reader.info();
    let (gray, has_alpha) = match info.color_type {
        ColorType::Grayscale => (true, false),
        ColorType::GrayscaleAlpha => (true, true),
        ColorType::Rgb | ColorType::Indexed => (false, false),
        ColorType::Rgba => (false, true),
    };
    Ok(ImageInfo {
        format: "png".into(),
        width_px: info.width,
        height_px: info.height,
        color_space: Some(if gray { "Gray" } else { "RGB" }.into()),
        bit_depth: Some(info.bit_depth as u32),
        alpha: has_alpha || info.trns.is_some(),
        icc: info.icc_profile.as_deref().map(icc::parse),
        resolution: resolution(info.pixel_dims),
        page_count: 1,
    })
}

fn damaged(e: ::png::DecodingError) -> ImageError {
    use ::png::DecodingError as E;
    match e {
        E::IoError(io) => super::io_error("PNG", &io),
        E::LimitsExceeded => ImageError::Damaged(format!(
            "the PNG's metadata needs more than {} MiB to read",
            LIMIT_BYTES >> 20
        )),
        other => ImageError::Damaged(format!("the PNG's header chunks cannot be read: {other}")),
    }
}

/// pHYs in pixels per metre; a unit-less pHYs gives only the pixel aspect.
fn resolution(dims: Option<PixelDimensions>) -> Result<Resolution, String> {
    let Some(d) = dims else {
        return Err("the PNG states no resolution (no pHYs chunk)".into());
    };
    if d.unit != ::png::Unit::Meter {
        return Err("the PNG's pHYs chunk gives only the pixel aspect, no resolution".into());
    }
    Resolution::new(d.xppu.into(), d.yppu.into(), Unit::Metre, "pHYs").ok_or_else(|| {
        format!(
            "the PNG's pHYs chunk gives {}x{} pixels per metre",
            d.xppu, d.yppu
        )
    })
}
