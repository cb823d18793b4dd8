//! One run: plan → scatter → render → gather → report. Rank 0 plans and reports; every rank
//! renders its own block.

use crate::comm::Comm;
use crate::config::Config;
use crate::render::{self, Renderer};
use crate::report;
use crate::source::random;
use crate::task::{self, Record};
use std::collections::BTreeSet;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

/// How a run ended, as rank 0 saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    AllWritten,
    SomeFailed,
}

pub fn run(comm: &Comm, config: &Config, seed: u64) -> std::io::Result<Outcome> {
    let hosts = comm.gather_bytes(crate::comm::processor_name().as_bytes());
    let hosts: Option<Vec<String>> = hosts.map(|h| {
        h.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    });
    let mut out = std::io::stdout().lock();
    if let Some(hosts) = &hosts {
        let distinct = hosts.iter().collect::<BTreeSet<_>>().len();
        let head = report::header(
            config.num_plots,
            comm.size(),
            distinct,
            seed,
            config.seed.is_some(),
        );
        writeln!(out, "{head}")?;
        out.flush()?;
    }

    comm.barrier();
    let start = comm.time();
    let (counts, displs) = task::partition(config.num_plots, comm.size());
    let all = if comm.is_root() {
        task::plan(config.num_plots)
    } else {
        Vec::new()
    };
    let mine = comm.scatter_tasks(&all, &counts, &displs);
    drop(all);

    let (records, failures, busy) = render_block(comm, config, seed, &mine);

    let records = comm.gather_records(&records, &counts, &displs);
    let busy = comm.gather_f64(busy);
    let failures = comm.gather_bytes(&report::encode_failures(&failures));
    let wall = comm.time() - start;

    let (Some(records), Some(busy), Some(failures), Some(hosts)) = (records, busy, failures, hosts)
    else {
        return Ok(Outcome::AllWritten); // not rank 0: nothing to report
    };
    let reasons = report::decode_failures(&failures);
    for r in &records {
        if !config.quiet || !r.is_ok() {
            let path = config
                .output_dir
                .join(render::file_name(r.plot_num, config.figure.format));
            let reason = reasons.get(&r.plot_num).map(String::as_str);
            writeln!(out, "{}", report::result_line(r, &path, reason))?;
        }
    }
    writeln!(out)?;
    let rows = report::rank_rows(&records, &busy, &hosts);
    writeln!(out, "{}", report::rank_table(&rows))?;
    writeln!(out, "{}", report::summary(&records, wall, &busy))?;
    out.flush()?;
    Ok(if records.iter().all(Record::is_ok) {
        Outcome::AllWritten
    } else {
        Outcome::SomeFailed
    })
}

/// Renders this rank's plots. A plot that fails — even by panicking — is recorded with its
/// reason and the rank goes on to the next. Returns records, failures and busy seconds.
fn render_block(
    comm: &Comm,
    config: &Config,
    seed: u64,
    plots: &[u64],
) -> (Vec<Record>, Vec<(u64, String)>, f64) {
    let mut renderer = Renderer::new(config.figure);
    let mut records = Vec::with_capacity(plots.len());
    let mut failures = Vec::new();
    let begin = comm.time();
    for &plot_num in plots {
        let t0 = comm.time();
        let name = render::file_name(plot_num, config.figure.format);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let points = random::points(seed, plot_num, config.points);
            renderer.plot_to_file(&points, &config.output_dir, &name)
        }));
        let outcome = match result {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(e)) => Err(e.to_string()),
            Err(panic) => Err(format!("internal error: {}", panic_message(&*panic))),
        };
        let mut record = Record {
            plot_num,
            rank: comm.rank(),
            elapsed: comm.time() - t0,
            ..Record::default()
        };
        match outcome {
            Ok(bytes) => record.bytes = bytes,
            Err(reason) => {
                record.status = Record::FAILED;
                failures.push((plot_num, reason));
            }
        }
        records.push(record);
    }
    (records, failures, comm.time() - begin)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".into())
}
