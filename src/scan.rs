//! Scanning a delivery: walk, classify, probe media in parallel.
