//! The report's letterhead from the plan: `[project] company` and `logo`
//! (an image file relative to the plan, embedded as a `data:` URI so the
//! report stays one self-contained file). A logo that is not a PNG, JPEG,
//! GIF or WebP image, or is larger than [`MAX_LOGO_BYTES`], is refused.

use super::model::Branding;
use crate::plan::LoadedPlan;
use std::path::{Path, PathBuf};

/// The largest logo embedded (the report carries it base64-encoded).
pub const MAX_LOGO_BYTES: u64 = 512 * 1024;

/// Why the plan's logo cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BrandingError {
    /// The file could not be read.
    #[error("failed to read the plan's logo {}: {source}", path.display())]
    Read {
        /// The logo file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Not an image a report can show.
    #[error(
        "the plan's logo {} is not a PNG, JPEG, GIF or WebP image",
        path.display()
    )]
    NotAnImage {
        /// The logo file.
        path: PathBuf,
    },
    /// Too large to embed.
    #[error(
        "the plan's logo {} is {size_bytes} bytes; a logo may be at most {} KiB",
        path.display(),
        MAX_LOGO_BYTES / 1024
    )]
    TooLarge {
        /// The logo file.
        path: PathBuf,
        /// Its size.
        size_bytes: u64,
    },
}

/// The letterhead the plan asks for (company and logo; no title).
pub fn from_plan(plan: &LoadedPlan) -> Result<Branding, BrandingError> {
    let p = &plan.plan.project;
    let logo_data_uri = match &p.logo {
        Some(rel) => {
            let dir = plan.path.parent().unwrap_or(Path::new("."));
            Some(logo_data_uri(&dir.join(rel))?)
        }
        None => None,
    };
    Ok(Branding {
        company: p.company.clone(),
        logo_data_uri,
        title: None,
    })
}

/// The image at `path` as a `data:` URI, refused when it is not an image or too large.
pub fn logo_data_uri(path: &Path) -> Result<String, BrandingError> {
    let read = |source| BrandingError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size_bytes = std::fs::metadata(path).map_err(read)?.len();
    if size_bytes > MAX_LOGO_BYTES {
        return Err(BrandingError::TooLarge {
            path: path.to_path_buf(),
            size_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(read)?;
    if bytes.len() as u64 > MAX_LOGO_BYTES {
        return Err(BrandingError::TooLarge {
            path: path.to_path_buf(),
            size_bytes: bytes.len() as u64,
        });
    }
    let mime = image_type(&bytes).ok_or_else(|| BrandingError::NotAnImage {
        path: path.to_path_buf(),
    })?;
    use base64::Engine;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

/// The MIME type of an image by its signature.
fn image_type(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_small_image() {
        let dir = std::env::temp_dir().join(format!("signoff-logo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("logo.png");
        std::fs::write(
            &png,
            crate::picture::thumbs::encode_png(&[0, 0, 0], 1, 1).unwrap(),
        )
        .unwrap();
        assert!(logo_data_uri(&png)
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"));
        let txt = dir.join("logo.png.txt");
        std::fs::write(&txt, "<svg onload=alert(1)>").unwrap();
        let e = logo_data_uri(&txt).unwrap_err().to_string();
        assert!(e.contains("not a PNG, JPEG, GIF or WebP"), "{e}");
        let big = dir.join("big.png");
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.resize(MAX_LOGO_BYTES as usize + 1, 0);
        std::fs::write(&big, bytes).unwrap();
        let e = logo_data_uri(&big).unwrap_err().to_string();
        assert!(e.contains("at most 512 KiB"), "{e}");
        let e = logo_data_uri(&dir.join("none.png"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("none.png"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
