//! A global allocator for tests that counts the bytes allocated and not yet
//! freed by the threads that ask to be counted, and their peak: how much a
//! piece of code holds at its most, measured deterministically (the same code
//! and input allocate the same sizes), unlike a process's resident size.
//!
//! Only the asking thread is counted, so a server the test starts on threads
//! of its own (a wiremock server) does not blur the figure. Code that moves
//! work to other threads is counted only for what runs on the asking thread:
//! run it on a current-thread runtime.
//!
//! It exists apart from the crates it measures because a `GlobalAlloc` is an
//! `unsafe impl`, which the workspace forbids everywhere else.
//!
//! ```
//! use alloc_counter::{CountingAlloc, count};
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAlloc = CountingAlloc;
//!
//! let (kept, counted) = count(|| {
//!     let scratch = vec![0u8; 4096];
//!     drop(scratch);
//!     vec![0u64; 100]
//! });
//! assert_eq!(kept.len(), 100);
//! assert!(counted.peak >= 4096 && counted.peak < 4096 + 800 + 64);
//! assert_eq!(counted.live, 800);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The counting allocator: every call passed on to [`System`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

/// What [`count`] measured on its thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// The most bytes live at once, above what was live when counting began.
    pub peak: usize,
    /// Bytes allocated and not freed when counting ended (negative when the
    /// closure freed more than it allocated).
    pub live: isize,
}

thread_local! {
    /// Live bytes and their peak, while this thread is counted.
    static COUNTER: Cell<Option<(isize, isize)>> = const { Cell::new(None) };
}

fn add(bytes: isize) {
    // `try_with`: a thread being torn down has no thread-locals left, and
    // allocates nothing counted.
    let _ = COUNTER.try_with(|counter| {
        if let Some((live, peak)) = counter.get() {
            let live = live + bytes;
            counter.set(Some((live, peak.max(live))));
        }
    });
}

/// Runs `f`, counting what this thread allocates and frees meanwhile. Needs
/// [`CountingAlloc`] as the global allocator (else it counts nothing).
///
/// # Panics
/// When counting is already on for this thread (a nested `count`).
pub fn count<T>(f: impl FnOnce() -> T) -> (T, Counted) {
    COUNTER.with(|counter| {
        assert!(counter.get().is_none(), "count is not nested");
        counter.set(Some((0, 0)));
    });
    let value = f();
    let (live, peak) = COUNTER.with(|counter| counter.take()).unwrap_or_default();
    let counted = Counted {
        peak: usize::try_from(peak).unwrap_or(0),
        live,
    };
    (value, counted)
}

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

// SAFETY: every call is passed on to `System` with the caller's arguments;
// the counting only reads the sizes and touches a const-initialized
// thread-local, which allocates nothing.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(signed(new_size) - signed(layout.size()));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
