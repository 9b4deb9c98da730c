//! TIFF facts from its image file directories, read with the `tiff` crate
//! by seeking (its limits bound every tag value; IFD cycles are refused):
//! dimensions, photometric interpretation, bits and samples per pixel,
//! extra samples (alpha), resolution, ICC profile (tag 34675), and the
//! number of directories (pages).

use super::{icc, ImageError, ImageInfo, Resolution, Unit};
use ::tiff::decoder::{ifd::Value, Decoder, Limits};
use ::tiff::tags::Tag;
use ::tiff::TiffError;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// At most this many pages are counted.
pub const MAX_PAGES: u32 = 10_000;

type Dec = Decoder<BufReader<File>>;

/// Reads a TIFF's facts (those of its first page, and its page count).
pub fn read(path: &Path) -> Result<ImageInfo, ImageError> {
    let file = File::open(path).map_err(|e| super::io_error("TIFF", &e))?;
    let mut limits = Limits::default();
    limits.ifd_value_size = 16 * 1024 * 1024;
    let mut d = Decoder::new(BufReader::new(file))
        .map_err(|e| error(e, 1))?
        .with_limits(limits);
    let (width_px, height_px) = d.dimensions().map_err(|e| error(e, 1))?;
    let photometric = unsigned(&mut d, Tag::PhotometricInterpretation)?;
    let bits = unsigned_vec(&mut d, Tag::BitsPerSample)?;
    let extra = unsigned_vec(&mut d, Tag::ExtraSamples)?;
    let icc = match d.find_tag(Tag::IccProfile).map_err(|e| error(e, 1))? {
        Some(v) => Some(v.into_u8_vec().map_err(|e| error(e, 1))?),
        None => None,
    };
    let resolution = resolution(&mut d)?;
    let page_count = pages(&mut d)?;
    Ok(ImageInfo {
        format: "tiff".into(),
        width_px,
        height_px,
        color_space: photometric.and_then(color_space),
        bit_depth: Some(
            bits.as_deref()
                .and_then(|b| b.iter().copied().max())
                .unwrap_or(1),
        ),
        alpha: extra.unwrap_or_default().iter().any(|e| matches!(e, 1 | 2)),
        icc: icc.as_deref().map(icc::parse),
        resolution,
        page_count,
    })
}

fn error(e: TiffError, page: u32) -> ImageError {
    match e {
        TiffError::UnsupportedError(u) => ImageError::Unsupported(format!(
            "page {page} of the TIFF uses what the reader does not support: {u}"
        )),
        TiffError::IoError(io) => super::io_error("TIFF", &io),
        other => ImageError::Damaged(format!("page {page} of the TIFF cannot be read: {other}")),
    }
}

fn unsigned(d: &mut Dec, tag: Tag) -> Result<Option<u32>, ImageError> {
    d.find_tag_unsigned(tag).map_err(|e| error(e, 1))
}

fn unsigned_vec(d: &mut Dec, tag: Tag) -> Result<Option<Vec<u32>>, ImageError> {
    d.find_tag_unsigned_vec(tag).map_err(|e| error(e, 1))
}

/// PhotometricInterpretation 0/1 grey, 2 and 3 (palette) RGB, 5 separated
/// (CMYK), 6 YCbCr, 8/9/10 CIE L*a*b*.
fn color_space(p: u32) -> Option<String> {
    let name = match p {
        0 | 1 => "Gray",
        2 | 3 => "RGB",
        5 => "CMYK",
        6 => "YCbCr",
        8..=10 => "Lab",
        _ => return None,
    };
    Some(name.to_string())
}

fn rational(d: &mut Dec, tag: Tag) -> Result<Option<f64>, ImageError> {
    Ok(match d.find_tag(tag).map_err(|e| error(e, 1))? {
        Some(Value::Rational(n, den)) if den != 0 => Some(f64::from(n) / f64::from(den)),
        Some(Value::Unsigned(n)) => Some(n.into()),
        Some(Value::Short(n)) => Some(n.into()),
        _ => None,
    })
}

/// XResolution / YResolution in ResolutionUnit (default 2, inches; 1 means none).
fn resolution(d: &mut Dec) -> Result<Result<Resolution, String>, ImageError> {
    let (x, y) = (
        rational(d, Tag::XResolution)?,
        rational(d, Tag::YResolution)?,
    );
    let unit = unsigned(d, Tag::ResolutionUnit)?.unwrap_or(2);
    let (Some(x), Some(y)) = (x, y) else {
        return Ok(Err(
            "the TIFF states no resolution (no XResolution/YResolution)".into(),
        ));
    };
    let unit = match unit {
        2 => Unit::Inch,
        3 => Unit::Centimetre,
        _ => {
            return Ok(Err(
                "the TIFF's resolution has no unit (ResolutionUnit 1): only the pixel aspect"
                    .into(),
            ))
        }
    };
    Ok(Resolution::new(x, y, unit, "TIFF")
        .ok_or_else(|| "the TIFF's resolution is not positive".into()))
}

/// The number of directories in the main chain, each read.
fn pages(d: &mut Dec) -> Result<u32, ImageError> {
    let mut n = 1;
    while d.more_images() {
        if n >= MAX_PAGES {
            return Err(ImageError::Unsupported(format!(
                "the TIFF has more than {MAX_PAGES} pages; they are not counted"
            )));
        }
        d.next_image().map_err(|e| error(e, n + 1))?;
        n += 1;
    }
    Ok(n)
}
