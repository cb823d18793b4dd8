//! The one module that talks MPI: start-up, the collectives a run needs, clocks and abort.
//! What crosses the wire, byte for byte, is `wire`'s.

pub mod wire;

use crate::plan::{displacements, Agreement};
use mpi::datatype::{Partition, PartitionMut};
use mpi::topology::{Process, SimpleCommunicator};
use mpi::traits::*;
use mpi::Count;
use wire::{decode_agreement, encode_agreement};

pub const ROOT: i32 = 0;
/// Dynamic schedule: a rank asks for work (payload: plots it has finished) …
const TAG_REQUEST: i32 = 101;
/// … and rank 0 answers with `[first plot, count]`; a count of 0 means "no more".
const TAG_WORK: i32 = 102;
/// Static schedule: a rank tells rank 0 how many plots it has handled, and whether it is done.
const TAG_PROGRESS: i32 = 103;
/// How long a waiting rank sleeps between polls: short against a plot, long enough not to
/// take the CPU from ranks that are drawing.
const POLL_SLEEP: std::time::Duration = std::time::Duration::from_micros(200);

pub struct Comm {
    world: SimpleCommunicator,
    // Dropped last: finalises MPI.
    _universe: mpi::environment::Universe,
}

impl Comm {
    /// Initialises MPI (as a single rank when not started by mpirun/srun).
    pub fn init() -> Result<Comm, String> {
        let universe = mpi::initialize().ok_or("MPI was already initialised")?;
        Ok(Comm {
            world: universe.world(),
            _universe: universe,
        })
    }

    pub fn rank(&self) -> i32 {
        self.world.rank()
    }

    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    pub fn is_root(&self) -> bool {
        self.rank() == ROOT
    }

    fn root(&self) -> Process<'_> {
        self.world.process_at_rank(ROOT)
    }

    /// Seconds on MPI's wall clock (`MPI_Wtime`).
    pub fn time(&self) -> f64 {
        mpi::time()
    }

    pub fn barrier(&self) {
        self.world.barrier();
    }

    /// Waits until every rank has arrived, sleeping rather than spinning: a rank that
    /// finished early must not take CPU from ranks still rendering when ranks outnumber
    /// cores (a blocking collective busy-polls at 100 % CPU in Open MPI and MPICH).
    pub fn wait_for_all(&self) {
        let mut request = self.world.immediate_barrier();
        loop {
            match request.test() {
                Ok(_) => return,
                Err(pending) => request = pending,
            }
            std::thread::sleep(POLL_SLEEP);
        }
    }

    /// Ends every rank of the job with `code`, after `message` has been printed. The one error
    /// `main` cannot print: the rank that says it does not return.
    pub fn abort(&self, message: &str, code: i32) -> ! {
        eprintln!("error: rank {}: {message}; aborting all ranks", self.rank());
        self.world.abort(code)
    }

    /// Every rank's `values` become the element-wise minimum over all ranks. The ranks wait
    /// sleeping, as in [`Comm::wait_for_all`], since some finish their share long before
    /// others.
    pub fn all_min(&self, values: &mut [f64]) {
        self.all_reduce(values, mpi::collective::SystemOperation::min());
    }

    /// Every rank's `values` become the element-wise sum over all ranks, waiting as
    /// [`Comm::all_min`] does. Integers: the same sums whatever the order of adding.
    pub fn all_sum(&self, values: &mut [u64]) {
        self.all_reduce(values, mpi::collective::SystemOperation::sum());
    }

    /// In pieces of at most 2^24 values: MPI counts are C ints, and each piece is copied
    /// once more.
    fn all_reduce<T: Equivalence + Copy>(
        &self,
        values: &mut [T],
        op: mpi::collective::SystemOperation,
    ) {
        const PIECE: usize = 1 << 24;
        for piece in values.chunks_mut(PIECE) {
            let mine = piece.to_vec();
            mpi::request::scope(|scope| {
                let mut request =
                    self.world
                        .immediate_all_reduce_into(scope, &mine[..], &mut *piece, op);
                loop {
                    match request.test() {
                        Ok(_) => return,
                        Err(pending) => request = pending,
                    }
                    std::thread::sleep(POLL_SLEEP);
                }
            });
        }
    }

    /// Root's values replace everyone else's.
    pub fn broadcast<const N: usize>(&self, values: &mut [u64; N]) {
        self.root().broadcast_into(&mut values[..]);
    }

    /// Dynamic schedule, rank 0: a pending request for work, if any: (rank, plots it has
    /// done, whether it is stopping).
    pub fn poll_request(&self) -> Option<(i32, u64, bool)> {
        let (message, status) = self
            .world
            .any_process()
            .immediate_matched_probe_with_tag(TAG_REQUEST)?;
        let mut request = [0u64; 2];
        message.matched_receive_into(&mut request[..]);
        Some((status.source_rank(), request[0], request[1] != 0))
    }

    /// Static schedule, other ranks: tell rank 0 how many plots this rank has handled, and
    /// (`finished`) that it has no more. A message of two numbers goes out at once (MPI's
    /// eager protocol): the rank does not wait for rank 0 to read it.
    pub fn report_progress(&self, handled: u64, finished: bool) {
        self.root()
            .send_with_tag(&[handled, u64::from(finished)][..], TAG_PROGRESS);
    }

    /// Static schedule, rank 0: a pending progress report, if any: (rank, plots it has
    /// handled, whether it has finished).
    pub fn poll_progress(&self) -> Option<(i32, u64, bool)> {
        let (message, status) = self
            .world
            .any_process()
            .immediate_matched_probe_with_tag(TAG_PROGRESS)?;
        let mut report = [0u64; 2];
        message.matched_receive_into(&mut report[..]);
        Some((status.source_rank(), report[0], report[1] != 0))
    }

    /// Sleeps as long as a waiting rank does between polls.
    pub fn pause(&self) {
        std::thread::sleep(POLL_SLEEP);
    }

    /// Dynamic schedule, rank 0: give `rank` plots `first .. first + count` (count 0: stop).
    pub fn assign(&self, rank: i32, first: u64, count: u64) {
        self.world
            .process_at_rank(rank)
            .send_with_tag(&[first, count][..], TAG_WORK);
    }

    /// Dynamic schedule, other ranks: ask rank 0 for work, saying how many plots are done, or
    /// (`stopping`) that no more work is wanted.
    pub fn request_work(&self, done: u64, stopping: bool) {
        self.root()
            .send_with_tag(&[done, u64::from(stopping)][..], TAG_REQUEST);
    }

    /// Dynamic schedule, other ranks: rank 0's answer, `(first, count)`, waited for asleep.
    pub fn receive_work(&self) -> (u64, u64) {
        loop {
            if let Some((message, _)) = self.root().immediate_matched_probe_with_tag(TAG_WORK) {
                let mut work = [0u64; 2];
                message.matched_receive_into(&mut work[..]);
                return (work[0], work[1]);
            }
            std::thread::sleep(POLL_SLEEP);
        }
    }

    /// Rank 0's agreement (plan, seed, start) on every rank, or `None` everywhere when rank 0
    /// has none (it refused the run and said why).
    pub fn share_agreement(&self, root: Option<&Agreement>) -> Option<Agreement> {
        let bytes = root.map_or_else(Vec::new, encode_agreement);
        let bytes = self.broadcast_bytes(bytes);
        (!bytes.is_empty()).then(|| decode_agreement(&bytes))
    }

    /// Root's bytes, on every rank.
    pub fn broadcast_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        let mut len = [bytes.len() as u64];
        self.broadcast(&mut len);
        // Never an empty buffer: see `gather_bytes`.
        let mut buf = if self.is_root() {
            bytes
        } else {
            vec![0; len[0] as usize]
        };
        buf.push(0);
        self.root().broadcast_into(&mut buf[..]);
        buf.pop();
        buf
    }

    /// Root scatters one `[first, count]` pair per rank from `pairs` (`2 × ranks` numbers,
    /// in rank order; empty elsewhere); every rank gets its own pair.
    pub fn scatter_pairs(&self, pairs: &[u64]) -> [u64; 2] {
        let mut mine = [0u64; 2];
        if self.is_root() {
            let counts = vec![2; self.size()];
            let displs = displacements(&counts);
            let partition = Partition::new(pairs, &counts[..], &displs[..]);
            self.root()
                .scatter_varcount_into_root(&partition, &mut mine[..]);
        } else {
            self.root().scatter_varcount_into(&mut mine[..]);
        }
        mine
    }

    /// Every rank's items, however many each has, concatenated in rank order at root: the
    /// counts are gathered first, then the items. `None` on other ranks.
    pub fn gather_all<T: Equivalence + Default + Clone>(&self, mine: &[T]) -> Option<Vec<T>> {
        let count = Count::try_from(mine.len()).expect("a window holds far fewer than 2^31 items");
        let counts = self.gather_one(&count);
        let displs = counts.as_deref().map(displacements).unwrap_or_default();
        self.gather_varcount(mine, counts.as_deref().unwrap_or_default(), &displs)
    }

    /// Gathers every rank's items (`PlotResult`s, bytes) into root in rank order, in the blocks
    /// `counts`/`displs` describe; `None` on other ranks.
    pub fn gather_varcount<T: Equivalence + Default + Clone>(
        &self,
        mine: &[T],
        counts: &[i32],
        displs: &[i32],
    ) -> Option<Vec<T>> {
        if self.is_root() {
            let total: usize = counts.iter().map(|&c| c as usize).sum();
            let mut all = vec![T::default(); total];
            let mut partition = PartitionMut::new(&mut all[..], counts, displs);
            self.root().gather_varcount_into_root(mine, &mut partition);
            Some(all)
        } else {
            self.root().gather_varcount_into(mine);
            None
        }
    }

    /// One value from every rank, in rank order, at root.
    pub fn gather_one<T: Equivalence + Default + Clone>(&self, mine: &T) -> Option<Vec<T>> {
        if self.is_root() {
            let mut all = vec![T::default(); self.size()];
            self.root().gather_into_root(mine, &mut all[..]);
            Some(all)
        } else {
            self.root().gather_into(mine);
            None
        }
    }

    /// Variable-length byte strings from every rank, in rank order, at root.
    pub fn gather_bytes(&self, mine: &[u8]) -> Option<Vec<Vec<u8>>> {
        // An empty `&[u8]` points at address 1, which is Open MPI's MPI_IN_PLACE: MPI would
        // take it for an in-place gather (MPI_ERR_ARG). One trailing byte keeps it real.
        let mut framed = Vec::with_capacity(mine.len() + 1);
        framed.extend_from_slice(mine);
        framed.push(0);
        let mine = &framed[..];
        let len = Count::try_from(mine.len())
            .expect("per-rank messages are capped far below 2 GiB (wire::encode_reasons)");
        let Some(lens) = self.gather_one(&len) else {
            self.root().gather_varcount_into(mine);
            return None;
        };
        let displs = displacements(&lens);
        let all = self.gather_varcount(mine, &lens, &displs)?;
        Some(
            lens.iter()
                .zip(&displs)
                .map(|(&l, &d)| all[d as usize..(d + l - 1) as usize].to_vec())
                .collect(),
        )
    }
}

/// The MPI processor (host) name of this rank.
pub fn processor_name() -> String {
    mpi::environment::processor_name().unwrap_or_else(|_| "unknown".into())
}

/// The first line of the MPI library's own version string ("Open MPI v4.1.4, …", "MPICH
/// Version: 4.0.2"; MPICH goes on with its whole configure line) and the standard it speaks.
pub fn library_version() -> String {
    let (major, minor) = mpi::environment::version();
    let library = mpi::environment::library_version()
        .ok()
        .and_then(|v| {
            // The C string arrives with its terminating NUL (Open MPI) inside the buffer.
            v.split('\0')
                .next()
                .and_then(|v| v.lines().next())
                .map(|l| l.replace('\t', " ").trim().to_string())
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("{library} (MPI standard {major}.{minor})")
}
