"""Reads signoff's marker exports with OpenTimelineIO itself and prints what it found as JSON.

Usage: markers_read.py NUM/DEN EDL OTIO AVID [TC...]
- the EDL through OTIO's cmx_3600 adapter (otio-cmx3600-adapter) at the master's rate, and its
  `* LOC:` lines one by one (the adapter's locator pattern takes HH:MM:SS:FF only, so drop-frame
  locators, HH:MM:SS;FF, are read here and converted by opentime.from_timecode, which knows
  drop-frame);
- the .otio through OTIO's own reader;
- the Avid marker list split on tabs, its timecodes converted by opentime.from_timecode;
- each TC given converted by opentime.from_timecode (frames from 00:00:00:00 at the rate).
Used by tests/markers.rs.
"""
import json
import re
import sys

import opentimelineio as otio
from opentimelineio import opentime

num, _, den = sys.argv[1].partition("/")
num, den = int(num), int(den or 1)
rate = num / den
edl_path, otio_path, avid_path = sys.argv[2:5]
tcs = sys.argv[5:]


def clip_markers(timeline):
    clips = list(timeline.find_clips())
    out = []
    for clip in clips:
        for m in clip.markers:
            out.append({
                "name": m.name,
                "comment": getattr(m, "comment", ""),
                "color": m.color,
                "start": m.marked_range.start_time.rescaled_to(rate).value,
                "duration": m.marked_range.duration.rescaled_to(rate).value,
            })
    return clips, out


edl = otio.adapters.read_from_file(edl_path, adapter_name="cmx_3600", rate=rate)
edl_clips, edl_markers = clip_markers(edl)
locs = []
for line in open(edl_path, encoding="utf-8"):
    m = re.match(r"\* LOC: (\d\d:\d\d:\d\d[:;]\d\d) (\w+)\s+(.*)$", line.rstrip("\n"))
    if m:
        locs.append({"tc": m.group(1), "start": opentime.from_timecode(m.group(1), rate).value,
                     "color": m.group(2), "text": m.group(3)})

tl = otio.adapters.read_from_file(otio_path)
otio_clips, otio_markers = clip_markers(tl)

avid = []
for line in open(avid_path, encoding="utf-8").read().split("\n"):
    if not line:
        continue
    f = line.split("\t")
    avid.append({"fields": len(f), "by": f[0], "tc": f[1], "start": opentime.from_timecode(f[1], rate).value,
                 "track": f[2], "color": f[3], "comment": f[4], "duration": int(f[5])})

print(json.dumps({
    "edl": {"clips": len(edl_clips), "clip_start": edl_clips[0].source_range.start_time.value,
            "clip_duration": edl_clips[0].source_range.duration.value,
            "markers": edl_markers, "locs": locs},
    "otio": {"clips": len(otio_clips), "clip_start": otio_clips[0].source_range.start_time.value,
             "clip_duration": otio_clips[0].source_range.duration.value,
             "global_start": tl.global_start_time.value if tl.global_start_time else None,
             "markers": otio_markers},
    "avid": avid,
    "timecodes": {tc: opentime.from_timecode(tc, rate).value for tc in tcs},
}))
