//! Which picture master a caption deliverable captions, and what the
//! caption rules read of it. The plan says so with `captions_for`; else a
//! deliverable that lists the caption file among its `sidecars` is its
//! master; else the plan's only picture deliverable is. Each finding names
//! the master and how it was found.

use super::context::{CaptionContext, MasterFacts, MasterLink};
use super::model::FrameRate;
use crate::check::FileResult;
use crate::paths::RelPath;
use crate::picture::PictureMeasurements;
use crate::plan::model::{Deliverable, Plan};
use crate::plan::Matcher;
use crate::probe::model::{MediaInfo, StreamKind};
use crate::spec::Profile;
use std::path::Path;

/// The master deliverable of `caption`'s file `rel`, with how it was
/// found; `Err` says why there is none.
pub fn master_of(
    plan: &Plan,
    matcher: &Matcher,
    caption: &Deliverable,
    rel: &RelPath,
    is_picture: &dyn Fn(&Deliverable) -> bool,
) -> Result<(String, String), String> {
    if let Some(id) = &caption.captions_for {
        return match plan.deliverable(id) {
            Some(_) => Ok((id.clone(), "named by `captions_for` in the plan".into())),
            None => Err(format!(
                "no master: the plan's `captions_for` names no deliverable `{id}`"
            )),
        };
    }
    let listed: Vec<String> = matcher
        .sidecar_of(rel)
        .into_iter()
        .filter(|id| *id != caption.id)
        .collect();
    match listed.as_slice() {
        [one] => {
            let how = format!("the plan lists this file among `{one}`'s sidecars");
            return Ok((one.clone(), how));
        }
        [] => {}
        many => {
            return Err(format!(
                "no master: several deliverables list this file as a sidecar ({}); name one with `captions_for`",
                many.join(", ")
            ))
        }
    }
    let pictures: Vec<&Deliverable> = plan
        .deliverables
        .iter()
        .filter(|d| d.id != caption.id && is_picture(d))
        .collect();
    match pictures.as_slice() {
        [one] => Ok((one.id.clone(), "the plan's only picture deliverable".into())),
        [] => Err("no master: the plan has no picture deliverable".into()),
        many => Err(format!(
            "no master: the plan has {} picture deliverables and does not say which these captions are for (`captions_for`)",
            many.len()
        )),
    }
}

/// What the caption rules read of a master's analysed file: its
/// duration, first video stream's frame rate, start timecode and shot
/// changes (`deliverable`, `file` and `found_by` left for the caller).
pub fn facts_of(result: &FileResult) -> Option<MasterFacts> {
    let media = result.scanned.media.as_ref()?;
    let mut facts = facts_of_media(media)?;
    facts.sha256 = result.sha256.clone();
    facts.shot_changes_s = shot_changes_of(media, result.picture.as_deref().unwrap_or_default());
    Some(facts)
}

/// The shot changes of the first video stream the picture stage measured
/// (the probe's first video stream when it was), in seconds; `None` when
/// they were not measured or the picture could not be decoded.
pub fn shot_changes_of(media: &MediaInfo, picture: &[PictureMeasurements]) -> Option<Vec<f64>> {
    let first = media
        .streams
        .iter()
        .find(|s| s.kind == StreamKind::Video)
        .map(|s| s.index);
    let measured = picture
        .iter()
        .find(|p| Some(p.stream_index) == first)
        .or_else(|| picture.first())?;
    if measured.not_evaluated.is_some() {
        return None;
    }
    measured.shots.as_ref().map(|s| s.times_s())
}

/// [`facts_of`] from a probe alone (no hash, no shot changes).
pub fn facts_of_media(media: &MediaInfo) -> Option<MasterFacts> {
    let video = media.streams.iter().find(|s| s.kind == StreamKind::Video)?;
    Some(MasterFacts {
        deliverable: String::new(),
        file: String::new(),
        sha256: None,
        found_by: String::new(),
        duration_s: video.duration_s.or(media.container.duration_s),
        frame_rate: video
            .video
            .as_ref()
            .and_then(|v| v.frame_rate.as_deref())
            .and_then(parse_rate),
        start_timecode: start_timecode(media),
        shot_changes_s: None,
    })
}

/// The context `check FILE… --master MASTER --language TAG` gives every
/// caption file: MASTER probed (read-only), its shot changes measured when
/// one of `profiles` needs them, or why it cannot be a master.
pub fn standalone(
    master: Option<&Path>,
    language: Option<&str>,
    profiles: &[Profile],
) -> CaptionContext {
    let shots = profiles
        .iter()
        .any(crate::spec::captions::needs_shot_changes);
    let master = match master {
        None => MasterLink::default(),
        Some(path) => probed_master(path, shots),
    };
    CaptionContext {
        plan_language: language.map(str::to_string),
        master,
    }
}

fn probed_master(path: &Path, shots: bool) -> MasterLink {
    let shown = RelPath::from_path(path).display();
    let none = |why: String| MasterLink::None {
        reason: format!("no master: {shown} {why}"),
    };
    let entries = crate::inventory::walk::walk(path, &Default::default());
    let Some(entry) = entries.into_iter().find(|e| e.path == path) else {
        return none("is not a file".into());
    };
    let scanned = crate::scan::analyse(&entry);
    if let Some(p) = &scanned.problem {
        return none(format!("cannot be read: {}", p.message));
    }
    let Some(media) = scanned.media.as_ref() else {
        return none("has no video stream".into());
    };
    let Some(mut facts) = facts_of_media(media) else {
        return none("has no video stream".into());
    };
    if shots {
        let opts = crate::picture::PictureOptions::shots_only();
        let picture = crate::picture::picture_of(path, media, &opts).unwrap_or_default();
        facts.shot_changes_s = shot_changes_of(media, &picture);
    }
    facts.deliverable = "--master".into();
    facts.file = shown;
    facts.found_by = "given with --master".into();
    MasterLink::Found(facts)
}

fn start_timecode(m: &MediaInfo) -> Option<String> {
    m.container
        .start_timecode
        .clone()
        .or_else(|| m.streams.iter().find_map(|s| s.timecode.clone()))
}

/// `24000/1001` or `25` as a frame rate.
pub fn parse_rate(s: &str) -> Option<FrameRate> {
    let (num, den) = match s.split_once('/') {
        Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
        None => (s.trim().parse().ok()?, 1),
    };
    (num > 0 && den > 0).then_some(FrameRate { num, den })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(toml: &str) -> Plan {
        toml::from_str(toml).unwrap()
    }

    const PLAN: &str = r#"
[project]
title = "T"
[[deliverable]]
id = "feature"
title = "F"
patterns = ["picture/*.mov"]
sidecars = ["subs/F_EN.*"]
[[deliverable]]
id = "trailer"
title = "T"
patterns = ["picture/*.mp4"]
[[deliverable]]
id = "subs"
title = "S"
patterns = ["subs/*"]
"#;

    #[test]
    fn master_by_key_sidecar_or_only_picture() {
        let mut p = plan(PLAN);
        let m = Matcher::new(&p).unwrap();
        let pic = |d: &Deliverable| d.patterns.iter().any(|p| p.starts_with("picture/"));
        let subs = p.deliverable("subs").unwrap().clone();
        let found = master_of(&p, &m, &subs, &RelPath::from("subs/F_EN.srt"), &pic).unwrap();
        assert_eq!(found.0, "feature");
        assert!(found.1.contains("sidecars"), "{}", found.1);
        // two picture deliverables and no sidecar listing: no guess
        let none = master_of(&p, &m, &subs, &RelPath::from("subs/F_FR.srt"), &pic).unwrap_err();
        assert!(none.contains("2 picture deliverables"), "{none}");
        // the plan's key wins
        p.deliverables[2].captions_for = Some("trailer".into());
        let subs = p.deliverables[2].clone();
        let found = master_of(&p, &m, &subs, &RelPath::from("subs/F_EN.srt"), &pic).unwrap();
        assert_eq!(found.0, "trailer");
        // one picture deliverable: that one
        p.deliverables.remove(1);
        p.deliverables[1].captions_for = None;
        let m = Matcher::new(&p).unwrap();
        let subs = p.deliverables[1].clone();
        let found = master_of(&p, &m, &subs, &RelPath::from("subs/F_FR.srt"), &pic).unwrap();
        assert_eq!(
            found,
            (
                "feature".into(),
                "the plan's only picture deliverable".into()
            )
        );
    }

    #[test]
    fn rates() {
        assert_eq!(
            parse_rate("24000/1001"),
            Some(FrameRate {
                num: 24000,
                den: 1001
            })
        );
        assert_eq!(parse_rate("25"), Some(FrameRate { num: 25, den: 1 }));
        assert_eq!(parse_rate("0/0"), None);
    }
}
