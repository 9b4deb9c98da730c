//! Classifying a file by its first bytes (signatures), not by its extension.
