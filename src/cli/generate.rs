//! `plotrand-mpi generate`: the man page and the shell completions, made from the same
//! definitions as `--help`, so that they never disagree.

use super::Cli;
use crate::exit::Exit;
use clap::CommandFactory;

/// What `generate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generated {
    /// The man page (roff)
    Man,
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

/// Writes the man page or completion script `what` to `out`.
pub fn generate(what: Generated, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut command = Cli::command();
    let shell = match what {
        Generated::Man => return man_page(command, out),
        Generated::Bash => clap_complete::Shell::Bash,
        Generated::Zsh => clap_complete::Shell::Zsh,
        Generated::Fish => clap_complete::Shell::Fish,
        Generated::Elvish => clap_complete::Shell::Elvish,
        Generated::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "plotrand-mpi", &mut script);
    if what == Generated::Bash {
        // clap_complete 4.6 names a subcommand's case label with the '-' of "plotrand-mpi"
        // turned into its subcommand separator, and the variable it is matched against with
        // "__": no subcommand would ever complete. One spelling for both.
        let text = String::from_utf8(script).expect("clap_complete writes UTF-8");
        script = text
            .replace("plotrand__subcmd__mpi", "plotrand__mpi")
            .into_bytes();
    }
    out.write_all(&script)
}

/// The man page: clap_mangen's sections, with the exit statuses as a section of their own.
fn man_page(command: clap::Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    subcommands_section(&Cli::command(), out)?;
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for exit in Exit::ALL {
        // roff: a leading '-' or '.' must not start a line, and '-' is a hyphen unless escaped.
        writeln!(
            out,
            ".TP\n{}\n{}",
            exit.code(),
            exit.meaning().replace('-', "\\-")
        )?;
    }
    man.render_version_section(out)
}

/// The subcommands with their own options, in this one page (clap_mangen would point at a
/// page per subcommand, which `generate` does not make).
fn subcommands_section(
    command: &clap::Command,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // roff: '-' is a hyphen unless escaped; a line must not begin with '.' or '\''.
    let roff = |text: &str| text.replace('\\', "\\e").replace('-', "\\-");
    writeln!(out, ".SH SUBCOMMANDS")?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string());
        writeln!(out, ".TP\n\\fBplotrand\\-mpi {}\\fR", roff(sub.get_name()))?;
        writeln!(
            out,
            "{}",
            roff(&about.unwrap_or_default()).replace("\n\n", "\n.br\n")
        )?;
        for arg in sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && a.get_id() != "help")
        {
            let name = match arg.get_long() {
                Some(long) => format!("\\-\\-{}", roff(long)),
                None => roff(arg.get_id().as_str()).to_uppercase(),
            };
            let value = arg
                .get_value_names()
                .filter(|_| arg.get_long().is_some() && arg.get_action().takes_values())
                .map(|v| format!(" \\fI<{}>\\fR", roff(&v.join(" "))))
                .unwrap_or_default();
            let help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string());
            writeln!(
                out,
                ".RS\n.TP\n\\fB{name}\\fR{value}\n{}\n.RE",
                roff(&help.unwrap_or_default())
            )?;
        }
    }
    Ok(())
}
