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
