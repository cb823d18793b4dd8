//! `--list`: what the input gives, object by object, on stdout; nothing is drawn. Rank 0
//! alone, before MPI work: a plotting run stops here.

use crate::config::Config;
use crate::exit::{Error, Exit};
use crate::sinks::console::{self, plural};
use crate::source::input::layouts::Found;
use crate::source::input::{self as input, Listing, Selection};
use crate::text::escape_controls;

/// `--list`: prints what `--input` gives, object by object.
pub fn run(config: &Config) -> Result<Exit, Error> {
    let path = config
        .input
        .as_ref()
        .expect("clap requires --input with --list");
    let selection = Selection::new(config.datasets.as_deref()).map_err(Error::usage)?;
    let listing = input::listing(path, &selection, &config.choice).map_err(Error::usage)?;
    console::print(&listing_text(path, &listing))
        .map_err(|e| Error::failed(format!("could not print the listing: {e}")))?;
    Ok(Exit::AllWritten)
}

/// `--list`: each object of the input and what it gives, then what is left out and why.
fn listing_text(input: &std::path::Path, listing: &Listing) -> String {
    let mut out = format!(
        "{}: {} from {}\n",
        escape_controls(&input.display().to_string()),
        plural(
            listing.objects.iter().map(|o| o.frames()).sum::<u64>(),
            "plot"
        ),
        plural(listing.objects.len() as u64, "object"),
    );
    for (object, what) in listing.objects.iter().zip(&listing.described) {
        let plots = if object.has_frames() {
            format!("{} {}s", object.frames(), object.kind.name())
        } else {
            format!("1 {}", object.kind.name())
        };
        out += &format!(
            "  {}  {plots}: {}\n",
            escape_controls(&object.path),
            escape_controls(what)
        );
    }
    let left_out: Vec<_> = listing.others.iter().collect();
    if !left_out.is_empty() || !listing.unopened.is_empty() {
        out += "Not plotted:\n";
    }
    for (path, found) in left_out {
        let why = match found {
            Found::Support(why) | Found::Unplottable(why) => why.as_str(),
            Found::Plots { what, .. } => what.as_str(),
        };
        out += &format!("  {}  {}\n", escape_controls(path), escape_controls(why));
    }
    for u in &listing.unopened {
        out += &format!(
            "  {}  could not be opened: {}\n",
            escape_controls(&u.path),
            escape_controls(&u.reason)
        );
    }
    out
}
