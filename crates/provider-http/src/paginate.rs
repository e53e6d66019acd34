//! The pagination driver: cursor pages into a stream of items.

use std::fmt::Debug;
use std::future::Future;

use futures::future::{self, Either};
use futures::stream::{self, Stream, StreamExt};

use crate::{HttpClient, HttpError, PaginationError};

/// One page of a listing: its items and the cursor of the next page (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    /// The items of this page, in the provider's order.
    pub items: Vec<T>,
    /// The cursor to fetch the next page with; `None` when this is the last page.
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// A page with a next cursor (`None` = last page).
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self { items, next }
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// The most pages a listing is followed for: 5,000,000 records at Stripe's
/// 100 a page, far beyond a period of any shop, and a bound on a provider
/// that keeps handing out fresh cursors (each one new, so no cursor repeats).
pub const MAX_PAGES: u64 = 50_000;

/// The most pages in a row that may hold nothing yet point to a next page:
/// a provider may end a listing with one empty page, never with many.
pub const MAX_EMPTY_PAGES: u64 = 3;

enum State<C, E> {
    Next {
        cursor: Option<C>,
        seen: Vec<C>,
        /// Empty pages in a row, each with a next cursor.
        empty: u64,
    },
    Fail(E),
    Done,
}

/// Turns "fetch the page at this cursor" into a stream of items.
///
/// `fetch_page` is called with `first_cursor` (usually `None`: the first page), then with each
/// page's [`Page::next`] until a page has none. The stream yields every item of every page in
/// order, and
/// - ends after the first error (a failed page is an `Err` item, never a short list that
///   looks complete);
/// - yields `Err(PaginationError::RepeatedCursor)` (converted into `E`) and ends if a page's
///   next cursor was already used: following it would repeat records or loop forever. The
///   items of that page are yielded first;
/// - likewise `Err(PaginationError::EmptyPages)` after [`MAX_EMPTY_PAGES`] pages in a row
///   that hold nothing yet point to a next page, and `Err(PaginationError::TooManyPages)`
///   after [`MAX_PAGES`] pages: a provider that keeps handing out fresh cursors is not
///   followed forever.
///
/// `E` is any error type that a [`PaginationError`] converts into, so a provider crate can use
/// its own error enum (add a `From<PaginationError>` variant) or [`HttpError`] directly (which
/// has the `From`; [`HttpClient::paginate`] also names the provider in that error).
///
/// The stream is not `Unpin`: use `futures::pin_mut!`, `Box::pin` or `tokio::pin!`.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use provider_http::{paginate, HttpClient, HttpError, Page};
///
/// #[derive(serde::Deserialize)]
/// struct List { data: Vec<Payout>, has_more: bool }
/// #[derive(serde::Deserialize)]
/// struct Payout { id: String }
///
/// # async fn run(client: HttpClient) -> Result<(), HttpError> {
/// let payouts: Vec<Payout> = paginate(None, |cursor: Option<String>| {
///     let client = client.clone();
///     async move {
///         let mut query = vec![("limit", "100".to_owned())];
///         if let Some(after) = cursor {
///             query.push(("starting_after", after));
///         }
///         let list: List = client.get_json("/v1/payouts", &query).await?;
///         let next = if list.has_more { list.data.last().map(|p| p.id.clone()) } else { None };
///         Ok::<_, HttpError>(Page::new(list.data, next))
///     }
/// })
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn paginate<T, C, E, F, Fut>(
    first_cursor: Option<C>,
    fetch_page: F,
) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(Option<C>) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, E>>,
    C: PartialEq + Clone + Debug,
    E: From<PaginationError>,
{
    let seen = first_cursor.iter().cloned().collect();
    let start = State::Next {
        cursor: first_cursor,
        seen,
        empty: 0,
    };
    stream::unfold(
        (start, fetch_page, 0u64),
        |(state, mut fetch_page, pages)| async move {
            match state {
                State::Done => None,
                State::Fail(err) => Some((vec![Err(err)], (State::Done, fetch_page, pages))),
                State::Next {
                    cursor,
                    mut seen,
                    empty,
                } => {
                    let pages = pages + 1;
                    let page = match fetch_page(cursor).await {
                        Ok(page) => page,
                        Err(err) => {
                            return Some((vec![Err(err)], (State::Done, fetch_page, pages)));
                        }
                    };
                    let empty = if page.items.is_empty() { empty + 1 } else { 0 };
                    let next = match page.next {
                        None => State::Done,
                        Some(c) if seen.contains(&c) => {
                            State::Fail(E::from(PaginationError::RepeatedCursor {
                                cursor: format!("{c:?}"),
                                pages,
                            }))
                        }
                        Some(_) if empty >= MAX_EMPTY_PAGES => {
                            State::Fail(E::from(PaginationError::EmptyPages { pages: empty }))
                        }
                        Some(_) if pages >= MAX_PAGES => {
                            State::Fail(E::from(PaginationError::TooManyPages { pages }))
                        }
                        Some(c) => {
                            seen.push(c.clone());
                            State::Next {
                                cursor: Some(c),
                                seen,
                                empty,
                            }
                        }
                    };
                    let items = page.items.into_iter().map(Ok).collect();
                    Some((items, (next, fetch_page, pages)))
                }
            }
        },
    )
    .flat_map(stream::iter)
}

impl HttpClient {
    /// [`paginate`] with [`HttpError`], naming this client's provider in a
    /// [`PaginationError`].
    pub fn paginate<T, C, F, Fut>(
        &self,
        first_cursor: Option<C>,
        fetch_page: F,
    ) -> impl Stream<Item = Result<T, HttpError>> + use<T, C, F, Fut>
    where
        F: FnMut(Option<C>) -> Fut,
        Fut: Future<Output = Result<Page<T, C>, HttpError>>,
        C: PartialEq + Clone + Debug,
    {
        let provider = self.provider();
        paginate(first_cursor, fetch_page).map(move |item| {
            item.map_err(|e| {
                if e.provider().is_empty() {
                    e.with_provider(provider)
                } else {
                    e
                }
            })
        })
    }
}

/// Ends a stream after its first `Err`, without polling it again (so no further request is
/// sent): the convention of every provider list, where a failure mid-list is an error and
/// never a short list. [`paginate`] already ends this way; use this on streams built around
/// it (a page per payout, chained listings).
///
/// ```
/// use futures::{StreamExt, executor::block_on, stream};
/// use provider_http::end_after_error;
///
/// let items = stream::iter(vec![Ok(1), Err("page 2 failed"), Ok(3)]);
/// let seen: Vec<Result<i32, &str>> = block_on(end_after_error(items).collect());
/// assert_eq!(seen, vec![Ok(1), Err("page 2 failed")]);
/// ```
pub fn end_after_error<'a, T, E>(
    stream: impl Stream<Item = Result<T, E>> + Send + 'a,
) -> impl Stream<Item = Result<T, E>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
{
    stream::unfold(Some(stream.boxed()), |state| async move {
        let mut inner = state?;
        let item = inner.next().await?;
        let rest = if item.is_ok() { Some(inner) } else { None };
        Some((item, rest))
    })
}

/// Flattens a stream of batches (the records of one payout, of one order) into a stream of
/// their items that ends after the first `Err`, like [`end_after_error`]: a source's
/// records in the order the batches came, never a short list.
///
/// ```
/// use futures::{StreamExt, executor::block_on, stream};
/// use provider_http::flatten_batches;
///
/// let batches = stream::iter(vec![Ok(vec![1, 2]), Ok(vec![]), Err("payout 3 failed"), Ok(vec![4])]);
/// let seen: Vec<Result<i32, &str>> = block_on(flatten_batches(batches).collect());
/// assert_eq!(seen, vec![Ok(1), Ok(2), Err("payout 3 failed")]);
/// ```
pub fn flatten_batches<'a, T, E>(
    batches: impl Stream<Item = Result<Vec<T>, E>> + Send + 'a,
) -> impl Stream<Item = Result<T, E>> + Send + 'a
where
    T: Send + 'a,
    E: Send + 'a,
{
    end_after_error(batches).flat_map(|batch| match batch {
        Ok(items) => Either::Left(stream::iter(items.into_iter().map(Ok))),
        Err(e) => Either::Right(stream::once(future::ready(Err(e)))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn follows_cursors_and_stops() {
        let pages = [
            Page::new(vec![1, 2], Some(1u32)),
            Page::new(vec![3], Some(2)),
            Page::last(vec![4, 5]),
        ];
        let s = paginate(None, |c: Option<u32>| {
            let p = pages[c.unwrap_or(0) as usize].clone();
            async move { Ok::<_, HttpError>(p) }
        });
        let items: Vec<_> = block_on(s.collect::<Vec<_>>())
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(items, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn repeated_cursor_is_an_error_after_the_page() {
        let s = paginate(None, |c: Option<u32>| async move {
            Ok::<_, HttpError>(match c {
                None => Page::new(vec![1], Some(7)),
                Some(_) => Page::new(vec![2], Some(7)),
            })
        });
        // `take` keeps a broken guard from looping forever.
        let out = block_on(s.take(10).collect::<Vec<_>>());
        assert_eq!(out.len(), 3);
        assert_eq!(*out[1].as_ref().unwrap(), 2);
        let err = out[2].as_ref().unwrap_err();
        assert!(err.to_string().contains("cursor repeated"), "{err}");
    }
}
