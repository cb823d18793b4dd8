//! How the program ends, as the process's exit status: the one table that `--help`, the man
//! page and `main` share.

/// How a run ends, as the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    AllWritten,
    SomeFailed,
    Usage,
    /// EX_SOFTWARE: all ranks aborted.
    Internal,
    /// EX_TEMPFAIL: stopped by a signal before the end.
    Interrupted,
}

impl Exit {
    pub const ALL: [Exit; 5] = [
        Exit::AllWritten,
        Exit::SomeFailed,
        Exit::Usage,
        Exit::Internal,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        match self {
            Exit::AllWritten => 0,
            Exit::SomeFailed => 1,
            Exit::Usage => 2,
            Exit::Internal => 70,
            Exit::Interrupted => 75,
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Exit::AllWritten => "all plots written",
            Exit::SomeFailed => {
                "some plots failed, or the run record or report could not be written"
            }
            Exit::Usage => "bad command line or unusable input (nothing was drawn)",
            Exit::Internal => "internal error (all ranks aborted)",
            Exit::Interrupted => "stopped by a signal before the end: run again with --resume",
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What ended a command early, or spoiled its end: `main` prints each cause once, as
/// `error: …`, and exits with the status. Commands return it; none prints its own errors.
#[derive(Debug)]
pub struct Error {
    exit: Exit,
    causes: Vec<Cause>,
    /// A command-line mistake, which `--help` can help with.
    help: bool,
}

impl Error {
    /// Bad command line or unusable input, found before any work: exit 2.
    pub fn usage(cause: impl Into<Cause>) -> Error {
        Error::with_exit(Exit::Usage, cause)
    }

    /// A command-line mistake clap could not see: exit 2, with the pointer to `--help`.
    pub fn command_line(cause: impl Into<Cause>) -> Error {
        Error {
            help: true,
            ..Error::usage(cause)
        }
    }

    /// Work was done but not all of it: exit 1.
    pub fn failed(cause: impl Into<Cause>) -> Error {
        Error::with_exit(Exit::SomeFailed, cause)
    }

    pub fn with_exit(exit: Exit, cause: impl Into<Cause>) -> Error {
        Error::all(exit, vec![cause.into()])
    }

    /// Several causes, each said on its own line.
    pub fn all(exit: Exit, causes: Vec<Cause>) -> Error {
        Error {
            exit,
            causes,
            help: false,
        }
    }

    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// What `main` prints: a line a cause, then the pointer to `--help` if it can help.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .causes
            .iter()
            .map(|cause| {
                format!(
                    "error: {}",
                    crate::text::escape_controls(&cause.to_string())
                )
            })
            .collect();
        if self.help {
            lines.push("\nFor more information, try '--help'.".into());
        }
        lines
    }
}
