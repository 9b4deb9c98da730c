//! What an ASC MHL v2.0 generation and chain file hold, as signoff reads and writes them.

use serde::Serialize;

/// The MHL v2.0 namespace of a generation (`hashlist`).
pub const NS_HASHLIST: &str = "urn:ASC:MHL:v2.0";
/// The namespace of the chain file (`ascmhldirectory`).
pub const NS_DIRECTORY: &str = "urn:ASC:MHL:DIRECTORY:v2.0";
/// The history folder at the root of a sealed folder.
pub const HISTORY_DIR: &str = "ascmhl";
/// The chain file inside the history folder.
pub const CHAIN_FILE: &str = "ascmhl_chain.xml";
/// Ignore patterns every generation records (as the reference tool does).
pub const DEFAULT_IGNORES: [&str; 3] = [".DS_Store", "ascmhl", "ascmhl/"];

/// A hash format an MHL v2.0 manifest can name, in the XSD's element order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// C4 ID (SHA-512, base58).
    C4,
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// XXH3-128.
    Xxh128,
    /// XXH3-64.
    Xxh3,
    /// XXH64.
    Xxh64,
}

impl Format {
    /// Every format, in XSD order.
    pub const ALL: [Format; 6] = [
        Format::C4,
        Format::Md5,
        Format::Sha1,
        Format::Xxh128,
        Format::Xxh3,
        Format::Xxh64,
    ];

    /// The element name (and `--algo` name).
    pub fn name(self) -> &'static str {
        match self {
            Format::C4 => "c4",
            Format::Md5 => "md5",
            Format::Sha1 => "sha1",
            Format::Xxh128 => "xxh128",
            Format::Xxh3 => "xxh3",
            Format::Xxh64 => "xxh64",
        }
    }

    /// From an element or `--algo` name.
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// What a generation says it did with a file's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// First recorded.
    Original,
    /// Hashed again and equal to the record.
    Verified,
    /// Hashed again and different from the record.
    Failed,
}

impl Action {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Action::Original => "original",
            Action::Verified => "verified",
            Action::Failed => "failed",
        }
    }

    /// From the attribute value.
    pub fn parse(s: &str) -> Option<Action> {
        [Action::Original, Action::Verified, Action::Failed]
            .into_iter()
            .find(|a| a.name() == s)
    }
}

/// One hash element (`<xxh128 action=… hashdate=…>value</xxh128>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashValue {
    /// Its format.
    pub format: Format,
    /// The value as written (hex, or `c4…`).
    pub value: String,
    /// `action`, when present (signoff always writes it; reading, its absence is a failure).
    pub action: Option<Action>,
    /// `hashdate`, when present.
    pub hash_date: Option<String>,
}

/// Where an element starts in its file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    /// Line.
    pub line: u64,
    /// Column (in bytes).
    pub column: u64,
}

/// A `<hash>` entry: one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The path relative to the root, `/`-separated (UTF-8 XML text).
    pub path: String,
    /// `size` in bytes.
    pub size_bytes: Option<u64>,
    /// `creationdate`.
    pub creation_date: Option<String>,
    /// `lastmodificationdate`.
    pub modification_date: Option<String>,
    /// The hashes, in XSD order.
    pub hashes: Vec<HashValue>,
    /// `previousPath` (a rename).
    pub previous_path: Option<String>,
    /// Where the entry is in its manifest.
    pub at: Position,
}

/// A `<directoryhash>` entry (or the root hash, path empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The path relative to the root.
    pub path: String,
    /// `lastmodificationdate`.
    pub modification_date: Option<String>,
    /// Content hashes, in XSD order.
    pub content: Vec<HashValue>,
    /// Structure hashes, in XSD order.
    pub structure: Vec<HashValue>,
}

/// `<creatorinfo>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Creator {
    /// `creationdate` (xs:dateTime).
    pub creation_date: String,
    /// `hostname`.
    pub hostname: String,
    /// `tool` text.
    pub tool: String,
    /// `tool@version`.
    pub tool_version: String,
    /// `author` texts.
    pub authors: Vec<String>,
}

/// One generation file (`NNNN_root_date.mhl`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Generation {
    /// `creatorinfo`.
    pub creator: Creator,
    /// `process` (`in-place`, `transfer`, `flatten`).
    pub process: String,
    /// `roothash`.
    pub root_hash: Option<DirEntry>,
    /// `ignore/pattern`s.
    pub ignore: Vec<String>,
    /// `hash` entries.
    pub files: Vec<FileEntry>,
    /// `directoryhash` entries.
    pub dirs: Vec<DirEntry>,
    /// `references/hashlistreference/path`s (nested histories).
    pub references: Vec<String>,
}

/// One `<hashlist>` of the chain file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// `sequencenr`.
    pub sequence: u64,
    /// The generation's file name inside `ascmhl/`.
    pub path: String,
    /// Its C4 ID, when present.
    pub c4: Option<String>,
    /// Where the entry is in the chain file.
    pub at: Position,
}
