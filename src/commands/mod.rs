//! What rank 0 does alone, one file per subcommand, named as the user types it.

pub mod extract;
pub mod report;
pub mod sample;
pub mod speedup;
