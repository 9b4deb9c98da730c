//! Walking a delivery folder: every file, link problems and loops reported, nothing followed unless asked.
