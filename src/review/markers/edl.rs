//! A CMX 3600 EDL of one event (the whole master) with its markers as
//! locator comments, `* LOC: TC COLOR  text`, the way DaVinci Resolve and
//! Avid read them. Drop-frame masters are written `FCM: DROP FRAME` with
//! `;` before the frames; text goes through [`crate::escape::line_field`].

use super::Marker;
use crate::escape::line_field;
use crate::review::notes::Master;

/// The EDL of `master` titled `title`, with `markers`.
pub fn write(title: &str, master: &Master, markers: &[Marker]) -> String {
    let fcm = if master.rate.drop_frame {
        "DROP FRAME"
    } else {
        "NON-DROP FRAME"
    };
    let tc_in = master.timecode(0);
    let tc_out = master.timecode(master.duration_frames);
    let mut out = format!("TITLE: {}\nFCM: {fcm}\n\n", line_field(title));
    out.push_str(&format!(
        "001  AX       V     C        {tc_in} {tc_out} {tc_in} {tc_out}\n"
    ));
    let path = master.path.display();
    let name = path.rsplit('/').next().unwrap_or(&path);
    out.push_str(&format!("* FROM CLIP NAME: {}\n", line_field(name)));
    for m in markers {
        out.push_str(&format!(
            "* LOC: {} {:<7} {}\n",
            m.timecode,
            m.color.upper(),
            line_field(&m.text())
        ));
    }
    out
}
