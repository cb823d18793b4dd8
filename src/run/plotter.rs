//! One plot, start to end: skip it if `--resume` finds it done, load its data, render it,
//! write it, save its data. Any failure — a panic included — becomes that plot's typed
//! error and the rank goes on to the next plot: a rank that cannot read the input or create
//! its data file fails each of its plots with the reason rather than stopping and leaving the
//! others waiting.

use crate::config::Config;
use crate::output::pack::{ArchiveWriter, Location, Packed};
use crate::output::savedata::{DataFile, SaveDataError};
use crate::output::{Existing, FileError, OutputDir};
use crate::plan::{Plan, PlotResult, PlotStatus};
use crate::render::{RenderError, Renderer};
use crate::source::{finite_range, Choice, Content, LoadError, PlotData, Source};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What every rank knows before the work starts.
#[derive(Clone, Copy)]
pub struct RunContext<'a> {
    pub config: &'a Config,
    pub plan: &'a Plan,
    pub out: &'a OutputDir,
    pub seed: u64,
    /// `--pack --resume`: the plots already in the archives (rank 0 knows where).
    pub packed: Option<&'a Packed>,
    /// Set by SIGTERM, SIGUSR1 or SIGINT: finish the plot in hand, take no new one.
    pub stop: &'a AtomicBool,
    /// How input objects are drawn, with the ranges frames share.
    pub choice: &'a Choice,
}

impl RunContext<'_> {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Why one plot failed. Turned into text once, when the reasons travel to rank 0.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error(transparent)]
    Input(#[from] LoadError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] FileError),
    /// Shared: a data file that could not be made or finished fails every plot it holds.
    #[error(transparent)]
    SaveData(Arc<SaveDataError>),
    /// Shared: an archive that could not be opened fails every plot meant for it.
    #[error(transparent)]
    Pack(Arc<FileError>),
    #[error("internal error: {0}")]
    Panic(String),
}

impl From<SaveDataError> for PlotError {
    fn from(e: SaveDataError) -> Self {
        PlotError::SaveData(Arc::new(e))
    }
}

/// What one rank did: a result per plot it handled, the failures' reasons, notes on plots
/// made again, and its span: the seconds from its start of work to its end.
pub struct RankWork {
    pub results: Vec<PlotResult>,
    pub failures: Vec<(u64, PlotError)>,
    /// `--resume`: plots whose existing file was not whole, and what it was.
    pub remade: Vec<(u64, String)>,
    pub span: f64,
}

/// Draws plots one by one for this rank, reusing its renderer, source and data file.
pub struct Plotter<'a> {
    ctx: &'a RunContext<'a>,
    rank: i32,
    source: Result<Source, LoadError>,
    /// Created at the first plot, so ranks without plots leave no empty file.
    data_file: Option<Result<DataFile, Arc<SaveDataError>>>,
    /// `--pack`: this rank's archive, opened at its first plot.
    archive: Option<Result<ArchiveWriter, Arc<FileError>>>,
    renderer: Renderer,
    work: RankWork,
    begin: Instant,
}

impl<'a> Plotter<'a> {
    pub fn new(ctx: &'a RunContext<'a>, rank: i32) -> Plotter<'a> {
        let source = match &ctx.config.input {
            None => Ok(Source::Random {
                seed: ctx.seed,
                points: ctx.config.points,
            }),
            Some(path) => Source::input(path),
        };
        Plotter {
            ctx,
            rank,
            source,
            data_file: None,
            archive: None,
            renderer: Renderer::with_colouring(ctx.config.figure, ctx.config.colouring.clone()),
            work: RankWork {
                results: Vec::new(),
                failures: Vec::new(),
                remade: Vec::new(),
                span: 0.0,
            },
            begin: Instant::now(),
        }
    }

    /// Plots handled so far.
    pub fn handled(&self) -> u64 {
        self.work.results.len() as u64
    }

    pub fn plot(&mut self, plot_num: u64) {
        let t0 = Instant::now();
        let mut result = PlotResult {
            plot_num,
            rank: self.rank,
            ..PlotResult::default()
        };
        match self.already_made(plot_num) {
            Some(bytes) => (result.status, result.bytes) = (PlotStatus::Skipped, bytes),
            None => self.make(&mut result),
        }
        result.elapsed = t0.elapsed().as_secs_f64();
        self.work.results.push(result);
    }

    /// `--resume`: the size of the plot's file if it is there and whole. Anything else under
    /// its name is noted, to be said when the plot is made again.
    fn already_made(&mut self, plot_num: u64) -> Option<u64> {
        if !self.ctx.config.resume {
            return None;
        }
        if self.ctx.config.pack {
            // Its size and place are in rank 0's index; it fills them in for the record.
            return self.ctx.packed?.contains(plot_num).then_some(0);
        }
        match self.ctx.out.existing(plot_num) {
            Existing::Whole(bytes) => Some(bytes),
            Existing::Missing => None,
            Existing::Incomplete(what) => {
                let note = format!("existing file is incomplete ({what}); made again");
                self.work.remade.push((plot_num, note));
                None
            }
        }
    }

    /// Draws the plot of `result`, filling in what came of it; a panic is a failure too.
    fn make(&mut self, result: &mut PlotResult) {
        let plot_num = result.plot_num;
        if self.ctx.config.save_data && self.data_file.is_none() {
            self.data_file = Some(DataFile::create(self.ctx.out, self.rank).map_err(Arc::new));
        }
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| self.draw(plot_num)))
            .unwrap_or_else(|panic| Err(PlotError::Panic(panic_message(&*panic))));
        match outcome {
            Ok(drawn) => {
                (result.bytes, result.dropped) = (drawn.bytes, drawn.dropped);
                if let Some((lo, hi)) = drawn.range {
                    (result.range_lo, result.range_hi) = (lo, hi);
                }
                if let Some(place) = drawn.place {
                    (result.archive, result.offset) = (i64::from(place.archive), place.offset);
                }
            }
            Err(e) => {
                result.status = PlotStatus::Failed;
                self.work.failures.push((plot_num, e));
            }
        }
    }

    /// Load, render, write, save.
    fn draw(&mut self, plot_num: u64) -> Result<Drawn, PlotError> {
        let ctx = self.ctx;
        let source = self.source.as_ref().map_err(|e| e.clone())?;
        let data = source.load(ctx.plan, plot_num, ctx.choice)?;
        let rendered = self.renderer.render(&data)?;
        let (bytes, left_out) = (rendered.bytes, data.dropped + rendered.left_out);
        let colour_range = rendered.colour_range;
        let place = if ctx.config.pack {
            let archive = self.archive.get_or_insert_with(|| {
                let rank = self.rank as u32;
                let resume = ctx.config.resume;
                ArchiveWriter::open(ctx.out.root(), rank, resume, ctx.config.sync).map_err(Arc::new)
            });
            let archive = archive.as_mut().map_err(|e| PlotError::Pack(e.clone()))?;
            let name = ctx.out.relative_path(plot_num).display().to_string();
            Some(archive.append(&name, bytes)?)
        } else {
            ctx.out.write_plot(plot_num, bytes)?;
            None
        };
        let written = bytes.len() as u64;
        if let Some(file) = &self.data_file {
            let file = file.as_ref().map_err(|e| PlotError::SaveData(e.clone()))?;
            let origin = ctx.plan.object(plot_num).map_or_else(
                || format!("random, seed {}", ctx.seed),
                |of| match of.object.has_frames() {
                    true => format!("{}, frame {}", of.object.path, of.frame),
                    false => of.object.path.clone(),
                },
            );
            file.write(&ctx.out.stem(plot_num), plot_num, &origin, &data.content)?;
        }
        Ok(Drawn {
            bytes: written,
            dropped: left_out,
            range: colour_range.or_else(|| line_range(&data)),
            place,
        })
    }

    pub fn finish(mut self) -> RankWork {
        if let Some(Ok(file)) = self.data_file {
            if let Err(e) = file.finish() {
                // Without its data file a plot's saved data is lost: the plot did not do its job.
                let e = Arc::new(e);
                for r in self.work.results.iter_mut().filter(|r| r.is_ok()) {
                    r.status = PlotStatus::Failed;
                    self.work
                        .failures
                        .push((r.plot_num, PlotError::SaveData(e.clone())));
                }
            }
        }
        self.ctx.out.remove_staging();
        self.work.span = self.begin.elapsed().as_secs_f64();
        self.work
    }
}

/// What came of a plot drawn and written.
struct Drawn {
    bytes: u64,
    /// Input rows or cells left out: by the reading (NaN, infinity), and by the colours (a
    /// log norm's values at or below 0).
    dropped: u64,
    /// The value range it was drawn with, for the run record: a heatmap's colour bar's ends
    /// (after xarray's diverging rule, the norm and the levels), a line's y values'.
    range: Option<(f64, f64)>,
    /// `--pack`: where in its archive the plot went.
    place: Option<Location>,
}

/// A line's y range: the one its frames share, else its own.
fn line_range(data: &PlotData) -> Option<(f64, f64)> {
    match &data.content {
        Content::Line(series) => data.value_range.or_else(|| finite_range(&series.y)),
        _ => None,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".into())
}
