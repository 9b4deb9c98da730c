//! `signoff completions SHELL` and `signoff man`: shell completions (clap_complete) and the man page (clap_mangen), generated from the one clap definition.

use super::args::Cli;
use clap::CommandFactory;
use std::io::Write;

/// `signoff completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install:
  bash:  signoff completions bash > ~/.local/share/bash-completion/completions/signoff
  zsh:   signoff completions zsh > ~/.zfunc/_signoff   (with fpath+=~/.zfunc before compinit)
  fish:  signoff completions fish > ~/.config/fish/completions/signoff.fish
  pwsh:  signoff completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for the chosen shell.
pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    // Generated into memory: clap_complete panics on a write error (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "signoff", &mut script);
    let mut out = super::output::stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(signoff::exit::OK)
}

/// `signoff man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install: signoff man > ~/.local/share/man/man1/signoff.1   (then `man signoff`)")]
pub struct ManArgs {}

/// Prints the man page (roff) of signoff.
pub fn run_man(_args: &ManArgs) -> anyhow::Result<u8> {
    let mut out = super::output::stdout();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(signoff::exit::OK)
}
