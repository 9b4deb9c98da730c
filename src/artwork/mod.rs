//! Artwork and paperwork read for what they are: a still image's format,
//! pixel dimensions, colour space, embedded ICC profile, bit depth, stated
//! resolution, alpha and pages ([`read_image`]); a PDF's pages and their
//! sizes ([`pdf::read_pdf`]). Only headers and metadata are read, never
//! the pixels, so memory stays bounded whatever a header claims.
//!
//! Each image format is one file ([`jpeg`], [`png`], [`tiff`]); the ICC
//! profile's header and description are read by [`icc`].

pub mod icc;
pub mod jpeg;
pub mod pdf;
pub mod png;
pub mod tiff;

use std::path::Path;

/// What a still image says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInfo {
    /// `jpeg`, `png` or `tiff` (by content).
    pub format: String,
    /// Pixel width.
    pub width_px: u32,
    /// Pixel height.
    pub height_px: u32,
    /// Colour model of the pixels: `RGB`, `Gray`, `CMYK`, `Lab`, `YCbCr`.
    pub color_space: Option<String>,
    /// Bits per channel (for an indexed PNG, bits per palette index).
    pub bit_depth: Option<u32>,
    /// Whether the pixels carry transparency (an alpha channel, or a PNG
    /// transparency chunk).
    pub alpha: bool,
    /// The embedded ICC profile, when there is one (`Err`: it is damaged).
    pub icc: Option<Result<icc::IccInfo, String>>,
    /// The resolution the file states, or why it states none.
    pub resolution: Result<Resolution, String>,
    /// Images in the file (pages of a multi-page TIFF; 1 otherwise).
    pub page_count: u32,
}

/// A stated resolution in dots per inch, and where it was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    /// Horizontal dots per inch.
    pub x_dpi: f64,
    /// Vertical dots per inch.
    pub y_dpi: f64,
    /// The header it comes from (`JFIF`, `EXIF`, `pHYs`, `TIFF`).
    pub source: &'static str,
}

impl Resolution {
    /// A resolution given in `unit`s: a stored value that is the rounding of
    /// a whole number of dots per inch (2835 px/m for 72 dpi) is that number.
    pub fn new(x: f64, y: f64, unit: Unit, source: &'static str) -> Option<Self> {
        let dpi = |v: f64| unit.to_dpi(v);
        let (x_dpi, y_dpi) = (dpi(x)?, dpi(y)?);
        Some(Resolution {
            x_dpi,
            y_dpi,
            source,
        })
    }

    /// The lower of the two resolutions (what a minimum is judged by).
    pub fn dpi(&self) -> f64 {
        self.x_dpi.min(self.y_dpi)
    }

    /// `72 dpi`, or `300x150 dpi` when the two differ.
    pub fn words(&self) -> String {
        let t = crate::spec::value::trim_float;
        if (self.x_dpi - self.y_dpi).abs() < 1e-9 {
            format!("{} dpi", t(self.x_dpi))
        } else {
            format!("{}x{} dpi", t(self.x_dpi), t(self.y_dpi))
        }
    }
}

/// The unit a resolution is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Dots per inch.
    Inch,
    /// Dots per centimetre (a rational or hundredths: TIFF, EXIF).
    Centimetre,
    /// Dots per centimetre stored as a whole number (JFIF).
    WholeCentimetre,
    /// Dots per metre (PNG).
    Metre,
}

impl Unit {
    fn per_inch(self) -> f64 {
        match self {
            Unit::Inch => 1.0,
            Unit::Centimetre | Unit::WholeCentimetre => 2.54,
            Unit::Metre => 0.0254,
        }
    }

    /// `v` in dots per inch; `None` unless positive and finite.
    fn to_dpi(self, v: f64) -> Option<f64> {
        if !v.is_finite() || v <= 0.0 {
            return None;
        }
        let dpi = v * self.per_inch();
        let whole = dpi.round();
        // Metric units store a whole dpi approximately: 72 dpi is written
        // 2835 or 2834 px/m (rounded or truncated), 28.35 px/cm, or (JFIF)
        // 28 px/cm. A stored
        // value within one step of the exact conversion is that whole dpi.
        let step = match self {
            Unit::Inch => return Some(dpi),
            Unit::Centimetre => 0.01,
            Unit::WholeCentimetre | Unit::Metre => 1.0,
        };
        if (v - whole / self.per_inch()).abs() <= step + 1e-9 {
            return Some(whole);
        }
        Some(dpi)
    }
}

/// Why an image's facts could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// The header is damaged or cut short: the words say where.
    Damaged(String),
    /// The format (or this variant of it) is not read: the words say which.
    Unsupported(String),
}

impl ImageError {
    /// The reason in plain words.
    pub fn words(&self) -> &str {
        match self {
            ImageError::Damaged(w) | ImageError::Unsupported(w) => w,
        }
    }
}

/// The formats [`read_image`] reads.
pub const FORMATS: &[&str] = &["jpeg", "png", "tiff"];

/// Reads the facts of the image at `path`, whose content is `format`
/// (`jpeg`, `png`, `tiff`). Opens it read-only; reads headers only.
pub fn read_image(path: &Path, format: &str) -> Result<ImageInfo, ImageError> {
    match format {
        "jpeg" => jpeg::read(path),
        "png" => png::read(path),
        "tiff" => tiff::read(path),
        other => Err(ImageError::Unsupported(format!(
            "the facts of {} images are not read (only JPEG, PNG and TIFF)",
            other.to_ascii_uppercase()
        ))),
    }
}

/// An I/O error while reading an image's header, in plain words.
fn io_error(format: &str, err: &std::io::Error) -> ImageError {
    if err.kind() == std::io::ErrorKind::UnexpectedEof {
        return ImageError::Damaged(format!(
            "the {format} file ends inside its header: it is cut short (truncated)"
        ));
    }
    ImageError::Damaged(format!(
        "the {format} file cannot be read: {}",
        crate::inventory::sniff::io_words(err)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_metric_resolutions_are_whole_dpi() {
        let png = Resolution::new(2835.0, 2835.0, Unit::Metre, "pHYs").unwrap();
        assert_eq!(png.dpi(), 72.0);
        let truncated = Resolution::new(2834.0, 2834.0, Unit::Metre, "pHYs").unwrap();
        assert_eq!(truncated.dpi(), 72.0);
        let cm = Resolution::new(118.11, 118.11, Unit::Centimetre, "TIFF").unwrap();
        assert_eq!(cm.dpi(), 300.0);
        let odd = Resolution::new(1000.0, 1000.0, Unit::Metre, "pHYs").unwrap();
        assert!((odd.dpi() - 25.4).abs() < 1e-9);
        let jfif = Resolution::new(59.0, 59.0, Unit::WholeCentimetre, "JFIF").unwrap();
        assert_eq!(jfif.dpi(), 150.0);
        let near = Resolution::new(2830.0, 2830.0, Unit::Metre, "pHYs").unwrap();
        assert!((near.dpi() - 71.882).abs() < 1e-9);
        assert!(Resolution::new(0.0, 72.0, Unit::Inch, "JFIF").is_none());
        let two = Resolution::new(300.0, 150.0, Unit::Inch, "TIFF").unwrap();
        assert_eq!((two.dpi(), two.words().as_str()), (150.0, "300x150 dpi"));
    }
}
