//! Every input of the checked-in corpus through the targets' bodies, without libFuzzer
//! (`cargo test` in fuzz/): what `scripts/fuzz.sh` replays first, in a form a debugger runs.

use arbitrary::{Arbitrary, Unstructured};
use plotrand_mpi_fuzz::{record, tar};

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(!inputs.is_empty(), "no corpus in {}", dir.display());
    inputs
}

#[test]
fn tar_scan_corpus() {
    corpus("tar_scan")
        .iter()
        .for_each(|input| tar::check(input));
}

#[test]
fn record_read_corpus() {
    let mut as_written = 0;
    for input in corpus("record_read") {
        // As libfuzzer-sys decodes a typed input; one it cannot decode is skipped there too.
        if let Ok(r) = record::Record::arbitrary_take_rest(Unstructured::new(&input)) {
            record::check(&r);
            as_written += usize::from(record::as_written(&r));
        }
    }
    assert!(
        as_written > 0,
        "the corpus holds a record as this version writes it"
    );
}
