//! Checking a delivery against its plan: walk, match files to deliverables,
//! QC each file against its deliverable's profiles while hashing it (both in
//! the same pool task), record every result in the ledger as it completes,
//! and compute the board. Files whose size and mtime are unchanged since the
//! last run reuse their stored hash and results.

use crate::board::{self, BoardInput, Counts, DeliverableStatus, FileOutcome};
use crate::captions::context::{CaptionContext, MasterFacts, MasterLink};
use crate::check::{self, FileResult, Job};
use crate::error::Error;
use crate::inventory::walk::{self, Entry, WalkOptions};
use crate::ledger::cache::CachedFiles;
use crate::ledger::store::{FileRecord, RunFile, RunFileRow};
use crate::ledger::{Ledger, LedgerError};
use crate::measure::hash::{sha256_bytes, sha256_reader};
use crate::paths::RelPath;
use crate::plan::{LoadedPlan, Matcher, Matching};
use crate::policy::{Decision, FailPolicy};
use crate::progress::Reporter;
use crate::spec::finding::Status as FindingStatus;
use crate::spec::{FileReport, Profile, Registry, Severity, SpecError, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use time::Date;

/// Errors that stop a planned run.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The root could not be read or the pool could not start.
    #[error(transparent)]
    Check(#[from] Error),
    /// The ledger could not be used.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A profile named by the plan could not be resolved.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A pattern did not compile (a linted plan always compiles).
    #[error("failed to compile the plan's patterns")]
    Glob(#[from] globset::Error),
    /// A file result could not be written.
    #[error("failed to record a file result in the ledger: {0}")]
    Write(String),
    /// `merge` found files no shard has analysed with this plan.
    #[error("{} file{} of the delivery {} not been checked by any shard: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, if .0.len() == 1 { "has" } else { "have" }, .0.join(", "))]
    NotInShards(Vec<String>),
    /// `merge` found files a shard checked otherwise than this merge would
    /// (other profiles, another signoff, since changed): one reason a shard.
    #[error("cannot merge the shards: {}", .0.join("; "))]
    ShardsDiffer(Vec<String>),
    /// `status` found no completed run.
    #[error("no completed run over {root} in the ledger; run `signoff check` first")]
    NoRun {
        /// The delivery root.
        root: String,
    },
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Files analysed at once.
    pub jobs: usize,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Ignore the cache: hash and analyse every file again.
    pub rehash: bool,
    /// Who runs it (recorded).
    pub user: String,
    /// Now, RFC 3339 UTC (recorded).
    pub now: String,
    /// Today, for `overdue`.
    pub today: Date,
    /// Analyse each file in a worker process; `None`: in this process.
    pub isolation: Option<Arc<crate::isolate::Isolation>>,
    /// Check only this shard's files ([`crate::shard`]).
    pub shard: Option<crate::shard::Shard>,
    /// `merge`: analyse nothing; every result comes from the cache or from
    /// the record of these shard runs (kind, run id). Empty: analyse.
    pub merge_of: Vec<(String, i64)>,
}

/// The outcome of a run or of `status`: the board and what it was built from.
#[derive(Debug, Clone, Serialize)]
pub struct BoardReport {
    /// The delivery root (canonical; exact, shown as lossy text in JSON).
    #[serde(serialize_with = "crate::paths::lossy")]
    pub root: PathBuf,
    /// The ledger run shown.
    pub run_id: i64,
    /// One status per deliverable, in plan order.
    pub deliverables: Vec<DeliverableStatus>,
    /// Files no deliverable claims.
    pub unplanned: Vec<RelPath>,
    /// Files claimed by two or more deliverables.
    pub double_claimed: BTreeMap<RelPath, Vec<String>>,
    /// Judged files with the same content as others (same SHA-256, not
    /// empty): each file → the others. Each carries a warning
    /// (`kind`/`content.duplicate`, see [`crate::duplicates`]).
    pub duplicates: BTreeMap<RelPath, Vec<RelPath>>,
    /// Files whose stored hash and results were reused.
    pub reused_files: usize,
    /// Files hashed and analysed in this run.
    pub analysed_files: usize,
    /// Profile id → digest of the resolved profile, for every profile the plan names.
    pub profile_digests: BTreeMap<String, String>,
    /// When the run shown finished (RFC 3339 UTC): the last check (`status` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// Files changed, added or removed on disk since the run shown (`status`
    /// only; by size and mtime, nothing hashed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_since_check: Vec<crate::disk::DiskChange>,
    /// Full QC reports of the files analysed in this run.
    #[serde(skip)]
    pub reports: Vec<FileReport>,
}

impl BoardReport {
    /// Whether any file of a deliverable could not be read (hashed, or opened for QC).
    pub fn any_unreadable(&self) -> bool {
        self.deliverables
            .iter()
            .flat_map(|d| &d.files)
            .any(|f| f.outcome.unreadable())
    }

    /// Whether any deliverable fails QC.
    pub fn any_failing(&self) -> bool {
        board::any_failing(&self.deliverables)
    }

    /// The run's answer under `policy` (what the exit code and every output say).
    pub fn decide(&self, policy: &FailPolicy) -> Decision {
        policy.decide_board(&self.deliverables)
    }
}

/// Canonical root as text, the key of runs and approvals.
pub fn root_key(root: &Path) -> Result<PathBuf, DeliveryError> {
    std::fs::canonicalize(root).map_err(|source| {
        DeliveryError::Check(Error::Path {
            path: root.to_path_buf(),
            source,
        })
    })
}

/// Every profile the plan names, resolved, with its digest.
pub fn resolve_profiles(
    plan: &LoadedPlan,
    registry: &Registry,
) -> Result<BTreeMap<String, (Profile, String)>, DeliveryError> {
    let ids: BTreeSet<&String> = plan
        .plan
        .deliverables
        .iter()
        .flat_map(|d| &d.profiles)
        .collect();
    let mut out = BTreeMap::new();
    for id in ids {
        let p = registry.resolve(id)?;
        let json = serde_json::to_string(&p).unwrap_or_default();
        let digest = sha256_reader(&mut json.as_bytes()).unwrap_or_default();
        out.insert(id.clone(), (p, digest));
    }
    Ok(out)
}

/// What one file is checked against.
#[derive(Clone)]
struct Work {
    /// Whether a deliverable claims the file (an unplanned file judges no
    /// deliverable: it is only hashed and probed).
    claimed: bool,
    profiles: Vec<Profile>,
    digest: String,
    cached_sha: Option<String>,
    /// Measure the file's shot changes for the captions it is the master of.
    shot_changes: bool,
}

/// What the pool hands back per file.
struct Done {
    relative_path: RelPath,
    outcome: FileOutcome,
    report: Option<FileReport>,
    write_error: Option<String>,
    /// What a caption file would read of this file as its master.
    master: Option<MasterFacts>,
}

/// Checks the delivery under the plan's root and records the run in `ledger`.
pub fn run(
    plan: &LoadedPlan,
    registry: &Registry,
    ledger: Ledger,
    opts: &RunOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<BoardReport, DeliveryError> {
    let root = root_key(&plan.root)?;
    // The walk and the ledger's cache rows are read at once, on two threads.
    let own_ledger = ledger.location().file().map(Path::to_path_buf);
    let (walked, cache) = std::thread::scope(|scope| {
        let walking = scope.spawn(|| {
            let entries = delivery_entries(&root, plan, own_ledger.as_deref(), opts.follow_links);
            let rels: Vec<RelPath> = entries.iter().map(relative).collect();
            let matcher = Matcher::new(&plan.plan)?;
            let matching = matcher.match_files(&rels);
            Ok::<_, DeliveryError>((entries, matcher, matching))
        });
        let cache = if opts.rehash {
            Ok(CachedFiles::default())
        } else {
            ledger.cached_under(&root)
        };
        let walked = walking
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (walked, cache)
    });
    let (entries, matcher, matching) = walked?;
    let cache = cache?;
    let profiles = resolve_profiles(plan, registry)?;
    let run_id = ledger.begin_run(&opts.now, &opts.user, &plan.digest, &root)?;
    let ledger = Arc::new(Mutex::new(ledger));
    // Caption files checked against a master wait for the masters: the
    // one-way pipeline runs twice, masters (and everything else) first.
    let links = caption_links(&entries, &matcher, plan, &profiles);
    let entries = match opts.shard {
        Some(shard) => shard_entries(entries, shard, &links, &matching),
        None => entries,
    };
    let all = entries.clone();
    let (later, first): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| links.get(&e.path).is_some_and(|l| l.master.is_ok()));
    let contexts = first_contexts(&links);
    let shot_masters = shot_masters(&links, &matching);
    let mut ctx = Partition {
        matcher: &matcher,
        plan,
        profiles: &profiles,
        ledger: &ledger,
        run_id,
        rehash: opts.rehash,
        contexts: &contexts,
        shot_masters: &shot_masters,
        shard_rows: (!opts.merge_of.is_empty()).then(|| ShardSource {
            runs: &opts.merge_of,
            rows: std::cell::OnceCell::new(),
        }),
        cache: &cache,
        digests: Default::default(),
    };
    let (mut files, todo, plans) = partition(first, &ctx)?;
    let mut reused_files = files.len();
    let mut analysed_files = todo.len();
    let mut done = pool(
        todo,
        plans,
        Arc::clone(&ledger),
        run_id,
        opts,
        Arc::clone(&reporter),
    )?;
    if !later.is_empty() {
        let masters = MasterSources {
            done: &done,
            entries: &all,
            matching: &matching,
            ctx: &ctx,
        };
        let contexts = later_contexts(&later, &links, &masters)?;
        ctx.contexts = &contexts;
        let (cached, todo, plans) = partition(later, &ctx)?;
        reused_files += cached.len();
        analysed_files += todo.len();
        files.extend(cached);
        done.extend(pool(
            todo,
            plans,
            Arc::clone(&ledger),
            run_id,
            opts,
            reporter,
        )?);
    }
    let reports = collect(done, &mut files)?;
    let mut ledger = lock(&ledger);
    let mut report = compose(plan, &ledger, &root, run_id, &matching, &files, opts.today)?;
    let mut reports = reports;
    for r in &mut reports {
        let rel = r.path.strip_prefix(&root).map(RelPath::from_path);
        if let Some(others) = rel.ok().and_then(|rel| report.duplicates.get(&rel)) {
            let paths: Vec<PathBuf> = others.iter().map(|o| root.join(o.as_path())).collect();
            crate::duplicates::add_to(r, crate::duplicates::warning(&paths));
        }
    }
    let rows: Vec<(String, String, usize)> = report
        .deliverables
        .iter()
        .map(|d| (d.id.clone(), states_text(d), d.files.len()))
        .collect();
    ledger.finish_run(run_id, &crate::delivery::now_utc(), &rows)?;
    // After the run is on record, so its version is numbered.
    crate::review::session::flag_board(plan, &ledger, &mut report)?;
    report.reused_files = reused_files;
    report.analysed_files = analysed_files;
    report.profile_digests = profiles.into_iter().map(|(id, (_, d))| (id, d)).collect();
    report.reports = reports;
    Ok(report)
}

/// What deciding between the cache and the pool needs.
struct Partition<'a> {
    matcher: &'a Matcher,
    plan: &'a LoadedPlan,
    profiles: &'a BTreeMap<String, (Profile, String)>,
    ledger: &'a Arc<Mutex<Ledger>>,
    run_id: i64,
    rehash: bool,
    /// Caption files' contexts (plan language, master), by path.
    contexts: &'a BTreeMap<PathBuf, CaptionContext>,
    /// Masters whose shot changes caption rules need.
    shot_masters: &'a BTreeSet<RelPath>,
    /// `merge`: every result comes from the cache or these shard rows.
    shard_rows: Option<ShardSource<'a>>,
    /// The ledger's cache rows under the root, read once at the start.
    cache: &'a CachedFiles,
    /// Profile digests by cache key: most files of a deliverable share one.
    digests: std::cell::RefCell<HashMap<String, String>>,
}

impl Partition<'_> {
    /// The SHA-256 of a file's cache key (its profiles, analysis version, kind…).
    fn digest_of(&self, key: String) -> String {
        let mut digests = self.digests.borrow_mut();
        if let Some(d) = digests.get(&key) {
            return d.clone();
        }
        let d = sha256_bytes(key.as_bytes());
        digests.insert(key, d.clone());
        d
    }
}

/// The shards' rows by relative path, each with its shard (`shard 2/8`).
type ShardRows = BTreeMap<RelPath, (String, RunFileRow)>;

/// The shard runs `merge` combines, their rows read on the first file the
/// cache does not answer (a file without a hash: often none at all).
struct ShardSource<'a> {
    runs: &'a [(String, i64)],
    rows: std::cell::OnceCell<ShardRows>,
}

impl ShardSource<'_> {
    fn rows(&self, ledger: &Arc<Mutex<Ledger>>) -> Result<&ShardRows, DeliveryError> {
        if let Some(rows) = self.rows.get() {
            return Ok(rows);
        }
        let rows = shard_rows(&lock(ledger), self.runs)?;
        Ok(self.rows.get_or_init(|| rows))
    }
}

/// Every file row of the shard runs `merge` combines.
fn shard_rows(ledger: &Ledger, runs: &[(String, i64)]) -> Result<ShardRows, DeliveryError> {
    let mut out = BTreeMap::new();
    for (kind, id) in runs {
        for (rel, row) in ledger.run_file_rows(*id)? {
            out.insert(rel, (kind.clone(), row));
        }
    }
    Ok(out)
}

/// Files the cache answers (recorded at once) and files left for the pool.
type Split = (
    BTreeMap<RelPath, FileOutcome>,
    Vec<Job>,
    BTreeMap<PathBuf, String>,
);

fn partition(entries: Vec<Entry>, c: &Partition) -> Result<Split, DeliveryError> {
    let mut files = BTreeMap::new();
    let mut todo = Vec::new();
    let mut plans = BTreeMap::new();
    let mut merge = MergeProblems::default();
    let mut reused_records = Vec::new();
    let mut shard_records = Vec::new();
    for entry in entries {
        let context = c.contexts.get(&entry.path);
        let work = work_for(&entry, c, context);
        let reused = match &work.cached_sha {
            Some(sha) => c
                .cache
                .result(&entry.path, sha, &work.digest)
                .map(|o| (o, None)),
            None => None,
        };
        let from_cache = reused.is_some();
        let reused = match (reused, &c.shard_rows) {
            (None, Some(source)) => {
                match from_shard(&entry, &work, context, source.rows(c.ledger)?) {
                    Ok(outcome) => Some(outcome),
                    Err(problem) => {
                        merge.add(&entry, problem);
                        continue;
                    }
                }
            }
            (reused, _) => reused,
        };
        match reused {
            Some((outcome, problem)) => {
                let rel = relative(&entry);
                if from_cache {
                    reused_records.push(RunFile {
                        relative_path: rel.clone(),
                        sha256: outcome.sha256.clone(),
                        profiles_digest: work.digest,
                        problem,
                        size_bytes: entry.size_bytes,
                        mtime_ns: mtime_ns(&entry),
                    });
                } else {
                    shard_records.push(record(&entry, &work.digest, &outcome, None, problem));
                }
                files.insert(rel, outcome);
            }
            None => {
                plans.insert(entry.path.clone(), work.digest.clone());
                let explicit = work.claimed;
                todo.push(Job {
                    entry,
                    profiles: work.profiles,
                    explicit,
                    hash: true,
                    cached_sha256: work.cached_sha,
                    layout: None,
                    captions: context.cloned(),
                    shot_changes: work.shot_changes,
                });
            }
        }
    }
    merge.result()?;
    // the reused results are in the ledger already: one transaction for all
    let mut ledger = lock(c.ledger);
    if !reused_records.is_empty() {
        ledger.record_reused(c.run_id, &reused_records)?;
    }
    if !shard_records.is_empty() {
        ledger.record_files(c.run_id, &shard_records)?;
    }
    Ok((files, todo, plans))
}

/// Why `merge` cannot take a file from the shards.
enum NotMerged {
    /// No shard recorded it.
    Missing,
    /// The shard checked it against other profiles (or another signoff).
    OtherProfiles(String),
    /// The file changed on disk since the shard checked it.
    Changed(String),
}

/// What `merge` could not take from the shards, gathered by shard.
#[derive(Default)]
struct MergeProblems {
    missing: Vec<String>,
    other_profiles: BTreeMap<String, Vec<String>>,
    changed: BTreeMap<String, Vec<String>>,
}

impl MergeProblems {
    fn add(&mut self, entry: &Entry, why: NotMerged) {
        let rel = relative(entry).display();
        match why {
            NotMerged::Missing => self.missing.push(rel),
            NotMerged::OtherProfiles(shard) => {
                self.other_profiles.entry(shard).or_default().push(rel)
            }
            NotMerged::Changed(shard) => self.changed.entry(shard).or_default().push(rel),
        }
    }

    /// One plain reason per shard, then the files no shard checked.
    fn result(self) -> Result<(), DeliveryError> {
        let mut reasons = Vec::new();
        for (shard, files) in &self.other_profiles {
            reasons.push(format!(
                "{shard} checked {} against other profiles than this merge's (another --specs-dir or SIGNOFF_SPECS, or another signoff version): run {shard} again",
                some_files(files)
            ));
        }
        for (shard, files) in &self.changed {
            reasons.push(format!(
                "{} changed on disk since {shard} checked {}: run {shard} again",
                some_files(files),
                if files.len() == 1 { "it" } else { "them" }
            ));
        }
        match (reasons.is_empty(), self.missing.is_empty()) {
            (true, true) => Ok(()),
            (true, false) => Err(DeliveryError::NotInShards(self.missing)),
            (false, _) => {
                if !self.missing.is_empty() {
                    reasons.push(DeliveryError::NotInShards(self.missing).to_string());
                }
                Err(DeliveryError::ShardsDiffer(reasons))
            }
        }
    }
}

/// `a.wav`, or `3 files (a.wav, b.wav, c.wav)`, at most five named.
fn some_files(files: &[String]) -> String {
    const NAMED: usize = 5;
    match files {
        [one] => one.clone(),
        _ => {
            let mut named = files
                .iter()
                .take(NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if files.len() > NAMED {
                named.push_str(", …");
            }
            format!("{} files ({named})", files.len())
        }
    }
}

/// The outcome a shard recorded for a file the cache does not answer: a
/// file without a hash (the walk could not read it, or its analysis was
/// stopped or crashed) has no cached result, only its row in the shard's
/// run. Its outcome is made again as the shard made it, reading nothing:
/// the walk's problem analysed (nothing is opened), or the shard's stopped
/// analysis with the shard's words.
fn from_shard(
    entry: &Entry,
    work: &Work,
    context: Option<&CaptionContext>,
    rows: &ShardRows,
) -> Result<(FileOutcome, Option<String>), NotMerged> {
    let Some((shard, row)) = rows.get(&relative(entry)) else {
        return Err(NotMerged::Missing);
    };
    if row.profiles_digest != work.digest {
        return Err(NotMerged::OtherProfiles(shard.clone()));
    }
    let problem = match (&row.sha256, &row.problem) {
        (None, Some(problem)) if row.stat == Some((entry.size_bytes, mtime_ns(entry))) => problem,
        // a hash the cache does not know for this size and mtime, or a
        // file without one that is not what the shard saw
        _ => return Err(NotMerged::Changed(shard.clone())),
    };
    let job = Job {
        entry: entry.clone(),
        profiles: work.profiles.clone(),
        explicit: work.claimed,
        hash: true,
        cached_sha256: None,
        layout: None,
        captions: context.cloned(),
        shot_changes: work.shot_changes,
    };
    let result = match &entry.problem {
        Some(_) => check::analyse_file(&job),
        None => check::failed(&job, crate::error::ProblemKind::Corrupt, problem),
    };
    Ok((outcome_of(&result), problem_of(&result)))
}

/// The entries of `shard`: the partition of [`crate::shard::assign`], a
/// caption file with a master going with the master's largest file.
fn shard_entries(
    entries: Vec<Entry>,
    shard: crate::shard::Shard,
    links: &BTreeMap<PathBuf, CaptionLink>,
    matching: &Matching,
) -> Vec<Entry> {
    let sizes: BTreeMap<RelPath, u64> = entries
        .iter()
        .map(|e| (relative(e), e.size_bytes))
        .collect();
    let mut follows = BTreeMap::new();
    for e in &entries {
        let Some(Ok((master, _))) = links.get(&e.path).map(|l| l.master.as_ref()) else {
            continue;
        };
        let largest = matching
            .claims
            .get(master)
            .into_iter()
            .flatten()
            .max_by_key(|p| {
                (
                    sizes.get(*p).copied().unwrap_or(0),
                    std::cmp::Reverse((*p).clone()),
                )
            });
        if let Some(leader) = largest {
            follows.insert(relative(e), leader.clone());
        }
    }
    let files: Vec<(RelPath, u64)> = sizes.into_iter().collect();
    let assigned = crate::shard::assign(&files, shard.count, &follows);
    entries
        .into_iter()
        .filter(|e| assigned.get(&relative(e)) == Some(&shard.index))
        .collect()
}

/// Adds the pool's outcomes to `files`; the first ledger write error stops the run.
fn collect(
    done: Vec<Done>,
    files: &mut BTreeMap<RelPath, FileOutcome>,
) -> Result<Vec<FileReport>, DeliveryError> {
    let mut reports = Vec::new();
    for d in done {
        if let Some(e) = d.write_error {
            return Err(DeliveryError::Write(e));
        }
        reports.extend(d.report);
        files.insert(d.relative_path, d.outcome);
    }
    Ok(reports)
}

/// The board of the latest completed check, without analysing anything,
/// with what changed on disk since (size and mtime only; see [`crate::disk`]).
pub fn status(
    plan: &LoadedPlan,
    ledger: &Ledger,
    today: Date,
) -> Result<BoardReport, DeliveryError> {
    let root = root_key(&plan.root)?;
    let run_id = match ledger.latest_check(&root)? {
        Some(id) => Some(id),
        None => ledger.latest_run(&root)?,
    }
    .ok_or_else(|| DeliveryError::NoRun {
        root: root.display().to_string(),
    })?;
    let files = ledger.run_files(run_id)?;
    let rels: Vec<RelPath> = files.keys().cloned().collect();
    let matcher = Matcher::new(&plan.plan)?;
    let matching = matcher.match_files(&rels);
    let mut report = compose(plan, ledger, &root, run_id, &matching, &files, today)?;
    crate::review::session::flag_board(plan, ledger, &mut report)?;
    let info = ledger.run_info(run_id)?;
    report.checked_at = info.finished_at.or(Some(info.started_at));
    let on_disk = delivery_entries(&root, plan, ledger.location().file(), false);
    report.changed_since_check =
        crate::disk::changes(&ledger.run_file_stats(run_id)?, &on_disk, &matcher);
    crate::disk::stale_approvals(&mut report.deliverables, &report.changed_since_check);
    Ok(report)
}

fn compose(
    plan: &LoadedPlan,
    ledger: &Ledger,
    root: &Path,
    run_id: i64,
    matching: &Matching,
    files: &BTreeMap<RelPath, FileOutcome>,
    today: Date,
) -> Result<BoardReport, DeliveryError> {
    let ids: Vec<String> = plan
        .plan
        .deliverables
        .iter()
        .map(|d| d.id.clone())
        .collect();
    let approvals = ledger.latest_approvals(root, &ids)?;
    let duplicates = crate::duplicates::in_board(files);
    let mut counted = files.clone();
    crate::duplicates::count_in(&mut counted, &duplicates);
    let input = BoardInput {
        plan: &plan.plan,
        matching,
        files: &counted,
        approvals: &approvals,
        today,
    };
    let mut deliverables = board::board(&input);
    crate::mhl::status::annotate(&plan.plan, root, &mut deliverables);
    let open = ledger.open_notes(root)?;
    for d in &mut deliverables {
        d.open_notes = open.get(&d.id).copied().unwrap_or(0);
    }
    let report = BoardReport {
        root: root.to_path_buf(),
        run_id,
        deliverables,
        unplanned: matching.unplanned.clone(),
        double_claimed: matching.double_claimed.clone(),
        duplicates,
        reused_files: 0,
        analysed_files: 0,
        profile_digests: BTreeMap::new(),
        checked_at: None,
        changed_since_check: Vec::new(),
        reports: Vec::new(),
    };
    Ok(report)
}

/// The states of a deliverable as stored per run (`failing,overdue`).
pub fn states_text(d: &DeliverableStatus) -> String {
    d.states_text()
}

/// Now as RFC 3339 UTC, to the second.
pub fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn lock(l: &Arc<Mutex<Ledger>>) -> std::sync::MutexGuard<'_, Ledger> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// The files of the delivery, minus the plan and the ledger file themselves.
fn delivery_entries(
    root: &Path,
    plan: &LoadedPlan,
    ledger: Option<&Path>,
    follow_links: bool,
) -> Vec<Entry> {
    // The plan and the ledger with SQLite's side files, which may come and
    // go while the delivery is walked: a file named like one of them is
    // resolved and compared; any other is compared by file identity (a
    // link or hard link to one of them), so that no entry needs resolving.
    let own: Vec<PathBuf> = std::iter::once(plan.path.clone())
        .chain(ledger.into_iter().flat_map(|l| {
            ["", "-wal", "-shm", "-journal"].map(|s| {
                let mut side = l.as_os_str().to_os_string();
                side.push(s);
                PathBuf::from(side)
            })
        }))
        .collect();
    let own_ids: Vec<(u64, u64)> = own
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| walk::file_id(&m))
        .collect();
    let own_names: BTreeSet<&std::ffi::OsStr> = own.iter().filter_map(|p| p.file_name()).collect();
    let own_resolved: Vec<PathBuf> = own.iter().filter_map(|p| resolved(p)).collect();
    let is_own = |e: &Entry| {
        e.file_id.is_some_and(|id| own_ids.contains(&id))
            || (e.path.file_name().is_some_and(|n| own_names.contains(n))
                && resolved(&e.path).is_some_and(|p| own_resolved.contains(&p)))
    };
    let opts = WalkOptions {
        follow_links,
        ..WalkOptions::default()
    };
    // the ASC MHL history is the manifest of the delivery, not one of its files
    let history = Path::new(crate::mhl::model::HISTORY_DIR);
    walk::walk(root, &opts)
        .into_iter()
        .filter(|e| !is_own(e) && !e.relative_path.starts_with(history))
        .collect()
}

/// `path` with its folder resolved (links, `..`), the name kept: the same
/// for a file that exists and for one that does not yet.
fn resolved(path: &Path) -> Option<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
}

fn relative(e: &Entry) -> RelPath {
    RelPath::from_path(&e.relative_path)
}

fn mtime_ns(e: &Entry) -> i64 {
    e.modified
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(-1, |d| d.as_nanos() as i64)
}

fn work_for(entry: &Entry, c: &Partition, context: Option<&CaptionContext>) -> Work {
    let (plan, profiles, rehash) = (c.plan, c.profiles, c.rehash);
    let claimants = c.matcher.claimants(&relative(entry));
    let mut ids: Vec<&String> = claimants
        .iter()
        .filter_map(|id| plan.plan.deliverable(id))
        .flat_map(|d| &d.profiles)
        .collect();
    ids.sort();
    ids.dedup();
    let mut key: Vec<String> = ids
        .iter()
        .map(|id| format!("{id}={}", profiles[*id].1))
        .collect();
    key.push(crate::ANALYSIS_VERSION.to_string());
    if !claimants.is_empty() {
        key.push(crate::kinds::cache_key(&entry.path));
    }
    let shot_changes = c.shot_masters.contains(&relative(entry));
    if shot_changes {
        key.push("shot_changes".into());
    }
    // a caption result depends on its master and the plan's language
    if let Some(context) = context {
        key.push(format!(
            "captions={}",
            serde_json::to_string(context).unwrap_or_default()
        ));
    }
    let digest = c.digest_of(key.join(";"));
    let cached_sha = if rehash || entry.problem.is_some() {
        None
    } else {
        c.cache
            .hash(&entry.path, entry.size_bytes, mtime_ns(entry))
            .map(str::to_string)
    };
    Work {
        claimed: !claimants.is_empty(),
        profiles: ids.iter().map(|id| profiles[*id].0.clone()).collect(),
        digest,
        cached_sha,
        shot_changes,
    }
}

fn pool(
    todo: Vec<Job>,
    digests: BTreeMap<PathBuf, String>,
    ledger: Arc<Mutex<Ledger>>,
    run_id: i64,
    opts: &RunOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<Vec<Done>, DeliveryError> {
    let digests = Arc::new(digests);
    let isolation = opts.isolation.clone();
    let done = check::execute(
        todo,
        opts.jobs,
        reporter,
        move |job| {
            // A panic in the analysis is that file's result, recorded like
            // any other, so that the ledger's board (`status`, `merge`)
            // knows the file was seen and could not be read.
            let analysis =
                std::panic::AssertUnwindSafe(|| check::analyse_job(isolation.as_deref(), job));
            let result =
                std::panic::catch_unwind(analysis).unwrap_or_else(|_| check::panicked(job));
            let digest = &digests[&job.entry.path];
            record_result(job, digest, result, &ledger, run_id)
        },
        panicked,
        &mut |_| {},
    )?;
    Ok(done)
}

/// Records one analysed file in the ledger (the pipeline's "record" step).
fn record_result(
    job: &Job,
    digest: &str,
    result: FileResult,
    ledger: &Arc<Mutex<Ledger>>,
    run_id: i64,
) -> Done {
    let outcome = outcome_of(&result);
    let mut rec = record(
        &job.entry,
        digest,
        &outcome,
        result.report.as_ref(),
        problem_of(&result),
    );
    rec.detail_json = serde_json::to_string(&result).ok();
    let write_error =
        lock(ledger)
            .record_file(run_id, &rec)
            .err()
            .map(|e| match std::error::Error::source(&e) {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            });
    Done {
        relative_path: relative(&job.entry),
        outcome,
        master: crate::captions::master::facts_of(&result),
        report: result.report,
        write_error,
    }
}

/// Why the file has no result worth caching: its analysis's own words (a
/// worker that crashed, a file that cannot be opened), else the hash's.
fn problem_of(result: &FileResult) -> Option<String> {
    let analysis = result.report.as_ref().and_then(|r| r.problem.as_ref());
    analysis
        .map(|p| p.message.clone())
        .or_else(|| result.hash_problem.clone())
}

fn panicked(job: &Job) -> Done {
    Done {
        relative_path: relative(&job.entry),
        outcome: FileOutcome {
            verdict: Some(Verdict::Unreadable),
            ..Default::default()
        },
        report: None,
        write_error: None,
        master: None,
    }
}

/// The board's view of one file's result.
fn outcome_of(result: &FileResult) -> FileOutcome {
    let sha256 = result.sha256.clone();
    let Some(r) = result.report.as_ref() else {
        return FileOutcome {
            sha256,
            ..Default::default()
        };
    };
    let mut by_profile: BTreeMap<String, Counts> = r
        .profiles
        .iter()
        .map(|p| (p.clone(), Counts::default()))
        .collect();
    for f in &r.findings {
        let c = by_profile.entry(f.profile.clone()).or_default();
        let failed = f.status == FindingStatus::Failed;
        c.errors += usize::from(failed && f.severity == Severity::Error);
        c.warnings += usize::from(failed && f.severity == Severity::Warning);
        c.not_evaluated += usize::from(f.is_not_evaluated());
    }
    let total = |g: fn(&Counts) -> usize| by_profile.values().map(g).sum();
    FileOutcome {
        sha256,
        verdict: Some(r.verdict),
        errors: total(|c| c.errors),
        warnings: total(|c| c.warnings),
        not_evaluated: total(|c| c.not_evaluated),
        by_profile,
        // a master measured for its captions' shot changes alone has no picture line
        picture: result
            .picture
            .as_deref()
            .and_then(crate::picture::summary::PictureSummary::of)
            .map(|mut p| {
                p.checked_by = picture_profiles(r);
                p
            })
            .filter(|p| !p.checked_by.is_empty()),
    }
}

/// The profiles whose `[picture]` rules judged the file.
fn picture_profiles(r: &FileReport) -> Vec<String> {
    let mut out: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("picture."))
        .map(|f| f.profile.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn record(
    entry: &Entry,
    digest: &str,
    outcome: &FileOutcome,
    report: Option<&FileReport>,
    problem: Option<String>,
) -> FileRecord {
    FileRecord {
        abs_path: entry.path.clone(),
        relative_path: relative(entry),
        size_bytes: entry.size_bytes,
        mtime_ns: mtime_ns(entry),
        profiles_digest: digest.to_string(),
        outcome: outcome.clone(),
        report_json: report.and_then(|r| serde_json::to_string(r).ok()),
        problem,
        detail_json: None,
    }
}

/// A caption file's link to its master, as the plan gives or implies it.
struct CaptionLink {
    /// The caption deliverable's `language`.
    plan_language: Option<String>,
    /// The master deliverable and how it was found, or why there is none.
    master: Result<(String, String), String>,
    /// The caption deliverable's profiles need the master's shot changes.
    shots: bool,
}

/// Every file claimed by a deliverable whose profiles have caption rules,
/// with its master.
fn caption_links(
    entries: &[Entry],
    matcher: &Matcher,
    plan: &LoadedPlan,
    profiles: &BTreeMap<String, (Profile, String)>,
) -> BTreeMap<PathBuf, CaptionLink> {
    let has = |d: &crate::plan::model::Deliverable, test: fn(&Profile) -> bool| {
        d.profiles
            .iter()
            .filter_map(|id| profiles.get(id))
            .any(|(p, _)| test(p))
    };
    let is_picture = |d: &crate::plan::model::Deliverable| {
        has(d, |p| !p.video.is_empty() || !p.picture.is_empty())
    };
    let mut out = BTreeMap::new();
    for e in entries {
        let rel = relative(e);
        let caption = matcher
            .claimants(&rel)
            .into_iter()
            .filter_map(|id| plan.plan.deliverable(&id))
            .find(|d| has(d, check::has_caption_rules));
        let Some(d) = caption else { continue };
        let master = crate::captions::master::master_of(&plan.plan, matcher, d, &rel, &is_picture);
        out.insert(
            e.path.clone(),
            CaptionLink {
                plan_language: d.language.clone(),
                master,
                shots: has(d, crate::spec::captions::needs_shot_changes),
            },
        );
    }
    out
}

/// The master files whose shot changes caption rules need: the first file
/// of each such master deliverable (the one its captions are checked
/// against), measured even when the master's profiles have no picture QC.
fn shot_masters(links: &BTreeMap<PathBuf, CaptionLink>, matching: &Matching) -> BTreeSet<RelPath> {
    links
        .values()
        .filter(|l| l.shots)
        .filter_map(|l| l.master.as_ref().ok())
        .filter_map(|(id, _)| matching.claims.get(id)?.first().cloned())
        .collect()
}

/// The contexts of caption files without a master (checked in the first pass).
fn first_contexts(links: &BTreeMap<PathBuf, CaptionLink>) -> BTreeMap<PathBuf, CaptionContext> {
    links
        .iter()
        .filter_map(|(path, l)| {
            let reason = l.master.as_ref().err()?;
            Some((
                path.clone(),
                CaptionContext {
                    plan_language: l.plan_language.clone(),
                    master: MasterLink::None {
                        reason: reason.clone(),
                    },
                },
            ))
        })
        .collect()
}

/// Where the second pass finds the masters: this run's first pass, or the
/// ledger's stored result of an unchanged master.
struct MasterSources<'a> {
    done: &'a [Done],
    entries: &'a [Entry],
    matching: &'a Matching,
    ctx: &'a Partition<'a>,
}

impl MasterSources<'_> {
    /// The facts of deliverable `id`'s master file, or why there are none.
    fn facts(&self, id: &str, found_by: &str) -> Result<MasterLink, DeliveryError> {
        let none = |reason: String| Ok(MasterLink::None { reason });
        let claims = self
            .matching
            .claims
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(rel) = claims.first() else {
            return none(format!("the master `{id}` has no file in the delivery"));
        };
        let found_by = match claims.len() {
            1 => found_by.to_string(),
            n => format!("{found_by}; the first of its {n} files"),
        };
        let facts = match self.done.iter().find(|d| &d.relative_path == rel) {
            Some(d) => d.master.clone(),
            None => self.cached(rel)?,
        };
        let Some(mut facts) = facts else {
            return none(format!(
                "the master `{id}` ({}) has no video stream that was read",
                rel.display()
            ));
        };
        facts.deliverable = id.to_string();
        facts.file = rel.display();
        facts.found_by = found_by;
        Ok(MasterLink::Found(facts))
    }

    /// The master facts of a file whose result this run reused.
    fn cached(&self, rel: &RelPath) -> Result<Option<MasterFacts>, DeliveryError> {
        let Some(entry) = self.entries.iter().find(|e| relative(e) == *rel) else {
            return Ok(None);
        };
        let work = work_for(entry, self.ctx, None);
        let Some(sha) = work.cached_sha else {
            return Ok(None);
        };
        let detail = lock(self.ctx.ledger).result_detail(&sha, &work.digest)?;
        Ok(detail
            .and_then(|j| serde_json::from_str::<FileResult>(&j).ok())
            .and_then(|r| crate::captions::master::facts_of(&r)))
    }
}

/// The contexts of caption files checked against a master.
fn later_contexts(
    later: &[Entry],
    links: &BTreeMap<PathBuf, CaptionLink>,
    masters: &MasterSources,
) -> Result<BTreeMap<PathBuf, CaptionContext>, DeliveryError> {
    let mut out = BTreeMap::new();
    for e in later {
        let Some(link) = links.get(&e.path) else {
            continue;
        };
        let Ok((id, found_by)) = &link.master else {
            continue;
        };
        out.insert(
            e.path.clone(),
            CaptionContext {
                plan_language: link.plan_language.clone(),
                master: masters.facts(id, found_by)?,
            },
        );
    }
    Ok(out)
}
