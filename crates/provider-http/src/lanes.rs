//! [`Lanes`]: several lists read at once, handed on one after the other.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{BoxStream, Fuse, Stream, StreamExt};

/// What [`Lanes`] yields: an item of a list, or the end of a list. Every
/// list, in the order the lists came, yields its items and then its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaneItem<T> {
    /// The next item of the current list.
    Item(T),
    /// The current list has ended; the next item is the next list's.
    End,
}

struct Lane<'a, T> {
    stream: BoxStream<'a, T>,
    queue: VecDeque<T>,
    done: bool,
}

/// Several lists read at once, handed on one after the other.
///
/// A provider's month is often "a list, then one list per item of it" (the
/// payouts, then each payout's transactions). Those per-item lists do not
/// depend on each other, so reading them one after the other makes a chain
/// of round trips as long as all their pages together; reading all of them
/// at once holds every list in memory. [`Lanes`] reads up to `open` lists at
/// once and yields their items in list order: the first list's items as they
/// arrive, the others' queued until their turn, and a list that is not first
/// stops reading once `budget` items in all wait in queues (the first list
/// never stops, so the stream always moves). Memory is then bounded by the
/// budget (plus a page per open list in flight) however large the lists;
/// latency is that of the longest list when they fit in the budget.
///
/// `lists` is a stream of item streams.
///
/// ```
/// use futures::executor::block_on;
/// use futures::stream::{self, StreamExt};
/// use provider_http::{LaneItem, Lanes};
///
/// let lists = stream::iter(vec![
///     stream::iter(vec![1, 2]).boxed(),
///     stream::iter(vec![3]).boxed(),
/// ]);
/// let out: Vec<LaneItem<i32>> = block_on(Lanes::new(lists, 8, 100).collect());
/// assert_eq!(
///     out,
///     vec![LaneItem::Item(1), LaneItem::Item(2), LaneItem::End, LaneItem::Item(3), LaneItem::End]
/// );
/// ```
pub struct Lanes<'a, L, T> {
    lists: Fuse<L>,
    lanes: VecDeque<Lane<'a, T>>,
    open: usize,
    budget: usize,
    /// Items waiting in the queues of lists that are not first.
    queued: usize,
    /// Lists read from the start, handed on after every list of `lists`.
    last: Vec<Lane<'a, T>>,
}

impl<'a, L, T> Lanes<'a, L, T>
where
    L: Stream<Item = BoxStream<'a, T>>,
{
    /// Reads up to `open` (at least 1) of `lists` at once; lists that are
    /// not first stop reading while `budget` items wait in queues.
    pub fn new(lists: L, open: usize, budget: usize) -> Self {
        Lanes {
            lists: lists.fuse(),
            lanes: VecDeque::new(),
            open: open.max(1),
            budget,
            queued: 0,
            last: Vec::new(),
        }
    }

    /// Adds lists that are read from the start, beside the others (they do
    /// not count towards `open`), and handed on after every list of
    /// `lists`, in their order; they stop reading at the budget like any
    /// list that is not first.
    ///
    /// For a list that must come last but needs nothing from the others (a
    /// month's transactions not yet paid out, handed on after the payouts so
    /// that the payouts' lines are known): started only when a slot is free,
    /// its chain of pages would follow the payouts' instead of running
    /// beside them.
    ///
    /// ```
    /// use futures::executor::block_on;
    /// use futures::stream::{self, StreamExt};
    /// use provider_http::{LaneItem, Lanes};
    ///
    /// let lists = stream::iter(vec![stream::iter(vec![1]).boxed()]);
    /// let last = vec![stream::iter(vec![9]).boxed()];
    /// let out: Vec<LaneItem<i32>> = block_on(Lanes::new(lists, 1, 100).with_last(last).collect());
    /// assert_eq!(
    ///     out,
    ///     vec![LaneItem::Item(1), LaneItem::End, LaneItem::Item(9), LaneItem::End]
    /// );
    /// ```
    #[must_use]
    pub fn with_last(mut self, lists: impl IntoIterator<Item = BoxStream<'a, T>>) -> Self {
        self.last.extend(lists.into_iter().map(|stream| Lane {
            stream,
            queue: VecDeque::new(),
            done: false,
        }));
        self
    }
}

impl<L, T> std::fmt::Debug for Lanes<'_, L, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lanes")
            .field("reading", &self.lanes.len())
            .field("open", &self.open)
            .field("budget", &self.budget)
            .field("queued", &self.queued)
            .field("last", &self.last.len())
            .finish_non_exhaustive()
    }
}

impl<L, T> Unpin for Lanes<'_, L, T> where L: Unpin {}

impl<'a, L, T> Stream for Lanes<'a, L, T>
where
    L: Stream<Item = BoxStream<'a, T>> + Unpin,
{
    type Item = LaneItem<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(head) = this.lanes.front_mut() {
                if let Some(item) = head.queue.pop_front() {
                    return Poll::Ready(Some(LaneItem::Item(item)));
                }
                if head.done {
                    this.lanes.pop_front();
                    // The next list is first now: its queue no longer counts.
                    if let Some(next) = this.lanes.front() {
                        this.queued -= next.queue.len();
                    }
                    return Poll::Ready(Some(LaneItem::End));
                }
            }
            let mut moved = false;
            while this.lanes.len() < this.open {
                match Pin::new(&mut this.lists).poll_next(cx) {
                    Poll::Ready(Some(stream)) => {
                        this.lanes.push_back(Lane {
                            stream,
                            queue: VecDeque::new(),
                            done: false,
                        });
                        moved = true;
                    }
                    Poll::Ready(None) | Poll::Pending => break,
                }
            }
            if this.lanes.is_empty() && this.lists.is_done() {
                if this.last.is_empty() {
                    return Poll::Ready(None);
                }
                // Every other list is handed on: the last lists' turn. The
                // first of them is first now: its queue no longer counts.
                this.lanes.extend(this.last.drain(..));
                if let Some(first) = this.lanes.front() {
                    this.queued -= first.queue.len();
                }
                continue;
            }
            let lanes = this.lanes.iter_mut().enumerate();
            let last = this.last.iter_mut().map(|lane| (true, lane));
            for (not_first, lane) in lanes.map(|(i, lane)| (i > 0, lane)).chain(last) {
                if lane.done || (not_first && this.queued >= this.budget) {
                    continue;
                }
                match lane.stream.poll_next_unpin(cx) {
                    Poll::Ready(Some(item)) => {
                        lane.queue.push_back(item);
                        if not_first {
                            this.queued += 1;
                        }
                        moved = true;
                    }
                    Poll::Ready(None) => {
                        lane.done = true;
                        moved = true;
                    }
                    Poll::Pending => {}
                }
            }
            if !moved {
                return Poll::Pending;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::mpsc;
    use futures::executor::block_on;
    use futures::stream;

    fn items(out: &[LaneItem<u32>]) -> Vec<u32> {
        out.iter()
            .filter_map(|i| match i {
                LaneItem::Item(x) => Some(*x),
                LaneItem::End => None,
            })
            .collect()
    }

    #[test]
    fn lists_come_out_in_order_each_with_its_end() {
        let lists = stream::iter(vec![
            stream::iter(vec![1, 2]).boxed(),
            stream::empty().boxed(),
            stream::iter(vec![3, 4, 5]).boxed(),
        ]);
        let out: Vec<_> = block_on(Lanes::new(lists, 2, 1).collect());
        assert_eq!(items(&out), vec![1, 2, 3, 4, 5]);
        assert_eq!(out.iter().filter(|i| **i == LaneItem::End).count(), 3);
        assert_eq!(out[2], LaneItem::End);
        assert_eq!(out[3], LaneItem::End);
    }

    #[test]
    fn a_later_list_is_read_while_the_first_waits() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let (tx2, rx2) = mpsc::unbounded::<u32>();
        let lists = stream::iter(vec![rx.boxed(), rx2.boxed()]);
        let mut lanes = Lanes::new(lists, 2, 10);
        tx2.unbounded_send(10).unwrap();
        tx2.unbounded_send(11).unwrap();
        drop(tx2);
        block_on(async {
            // The second list is read (and queued) though the first has nothing yet.
            assert!(futures::poll!(lanes.next()).is_pending());
            assert_eq!(lanes.queued, 2);
            tx.unbounded_send(1).unwrap();
            drop(tx);
            let out: Vec<_> = lanes.collect().await;
            assert_eq!(items(&out), vec![1, 10, 11]);
        });
    }

    #[test]
    fn lists_that_are_not_first_read_no_further_than_the_budget() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let lists = stream::iter(vec![
            rx.boxed(),
            stream::iter(100..200).boxed(),
            stream::iter(200..300).boxed(),
        ]);
        let mut lanes = Lanes::new(lists, 3, 5);
        block_on(async {
            assert!(futures::poll!(lanes.next()).is_pending());
            assert_eq!(
                lanes.queued, 5,
                "five items queued in all, then reading stops"
            );
            tx.unbounded_send(1).unwrap();
            drop(tx);
            let out: Vec<_> = lanes.collect().await;
            let mut expected = vec![1];
            expected.extend(100..300);
            assert_eq!(items(&out), expected);
        });
    }

    #[test]
    fn last_lists_are_read_from_the_start_and_handed_on_after_the_others() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let lists = stream::iter(vec![rx.boxed(), stream::iter(vec![2]).boxed()]);
        let last = vec![
            stream::iter(vec![90, 91]).boxed(),
            stream::iter(vec![95]).boxed(),
        ];
        // One list open at once: the second list waits, the last ones do not.
        let mut lanes = Lanes::new(lists, 1, 100).with_last(last);
        block_on(async {
            assert!(futures::poll!(lanes.next()).is_pending());
            assert_eq!(
                lanes.queued, 3,
                "the last lists were read while the first waits"
            );
            tx.unbounded_send(1).unwrap();
            drop(tx);
            let out: Vec<_> = lanes.collect().await;
            use LaneItem::{End, Item};
            assert_eq!(
                out,
                vec![
                    Item(1),
                    End,
                    Item(2),
                    End,
                    Item(90),
                    Item(91),
                    End,
                    Item(95),
                    End
                ]
            );
        });
    }

    #[test]
    fn last_lists_keep_to_the_budget() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let lists = stream::iter(vec![rx.boxed()]);
        let mut lanes = Lanes::new(lists, 1, 4).with_last(vec![stream::iter(100..200).boxed()]);
        block_on(async {
            assert!(futures::poll!(lanes.next()).is_pending());
            assert_eq!(lanes.queued, 4);
            drop(tx);
            let out: Vec<_> = lanes.collect().await;
            assert_eq!(items(&out), (100..200).collect::<Vec<_>>());
        });
    }

    #[test]
    fn no_more_than_open_lists_are_read_at_once() {
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (tx, rx) = mpsc::unbounded::<u32>();
        let first = rx.boxed();
        let counter = std::sync::Arc::clone(&opened);
        let rest = stream::iter(0..5).map(move |i| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            stream::iter(vec![i]).boxed()
        });
        let lists = stream::iter(vec![first]).chain(rest);
        let mut lanes = Lanes::new(lists, 3, 100);
        block_on(async {
            assert!(futures::poll!(lanes.next()).is_pending());
            // The first list and two more: the other three wait.
            assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 2);
            drop(tx);
            let out: Vec<_> = lanes.collect().await;
            assert_eq!(items(&out), vec![0, 1, 2, 3, 4]);
        });
    }
}
