//! Counts what building a map of 10,000 entries holds at its peak and keeps.

use std::collections::HashMap;

use alloc_counter::{CountingAlloc, count};

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

fn main() {
    let (map, counted) = count(|| {
        (0..10_000u32)
            .map(|i| (i, i.to_string()))
            .collect::<HashMap<_, _>>()
    });
    println!(
        "{} entries: peak {} bytes, {} kept ({} bytes an entry)",
        map.len(),
        counted.peak,
        counted.live,
        counted.live / map.len() as isize
    );
}
