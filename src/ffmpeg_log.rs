//! Capturing FFmpeg's log lines and attaching them to the file they concern.
