//! The pagination driver against a server.

use futures::{StreamExt, TryStreamExt};
use provider_http::{HttpError, HttpErrorKind, Page, PaginationError};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Thing, builder, catch_all};

#[derive(serde::Deserialize)]
struct List {
    data: Vec<Thing>,
    next: Option<String>,
}

fn page(ids: &[&str], next: Option<&str>) -> ResponseTemplate {
    let data: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "amount": 1}))
        .collect();
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": data, "next": next}))
}

async fn mount_page_n(
    server: &MockServer,
    cursor: Option<&str>,
    resp: ResponseTemplate,
    times: u64,
) {
    let m = Mock::given(method("GET"))
        .and(path("/things"))
        .and(query_param("limit", "2"));
    let m = match cursor {
        Some(c) => m.and(query_param("after", c)),
        None => m.and(query_param_is_missing("after")),
    };
    m.respond_with(resp).expect(times).mount(server).await;
}

async fn mount_page(server: &MockServer, cursor: Option<&str>, resp: ResponseTemplate) {
    mount_page_n(server, cursor, resp, 1).await;
}

fn list(
    client: &provider_http::HttpClient,
) -> impl futures::Stream<Item = Result<Thing, HttpError>> + use<> {
    let c = client.clone();
    client.paginate(None, move |cursor: Option<String>| {
        let c = c.clone();
        async move {
            let mut query = vec![("limit", "2".to_owned())];
            query.extend(cursor.map(|v| ("after", v)));
            let list: List = c.get_json("/things", &query).await?;
            Ok(Page::new(list.data, list.next))
        }
    })
}

#[tokio::test]
async fn follows_cursors_keeping_filters() {
    let server = MockServer::start().await;
    mount_page(&server, None, page(&["a", "b"], Some("c1"))).await;
    mount_page(&server, Some("c1"), page(&["c", "d"], Some("c2"))).await;
    mount_page(&server, Some("c2"), page(&["e"], None)).await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let ids: Vec<String> = list(&client).map_ok(|t| t.id).try_collect().await.unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn repeating_cursor_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_page(&server, None, page(&["a", "b"], Some("c1"))).await;
    mount_page(&server, Some("c1"), page(&["c", "d"], Some("c1"))).await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    // `take` keeps a broken guard from hanging the test: it would loop over page 2.
    let out: Vec<Result<Thing, HttpError>> = list(&client).take(20).collect().await;
    assert_eq!(out.len(), 5, "4 items, then the error, then the end");
    let err = out[4].as_ref().unwrap_err();
    assert!(
        matches!(
            err.kind(),
            HttpErrorKind::Pagination(PaginationError::RepeatedCursor { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.provider(), "test");
    assert!(err.to_string().contains("\"c1\""), "{err}");
}

#[tokio::test]
async fn error_mid_list_ends_the_stream_with_the_error() {
    let server = MockServer::start().await;
    mount_page_n(&server, None, page(&["a", "b"], Some("c1")), 2).await;
    mount_page_n(&server, Some("c1"), ResponseTemplate::new(400), 2).await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let out: Vec<Result<Thing, HttpError>> = list(&client).collect().await;
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[2].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(400)
    );
    let all: Result<Vec<Thing>, HttpError> = list(&client).try_collect().await;
    assert!(all.is_err(), "a failed listing is never a short list");
}

/// A provider crate with its own error type plugs in through `From<PaginationError>`.
#[tokio::test]
async fn generic_error_type() {
    #[derive(Debug)]
    enum MyError {
        Http(#[allow(dead_code)] HttpError),
        Loop,
    }
    impl From<PaginationError> for MyError {
        fn from(_: PaginationError) -> Self {
            MyError::Loop
        }
    }
    let s = provider_http::paginate(Some(0u8), |c: Option<u8>| async move {
        match c {
            Some(0) => Ok(Page::new(vec![1], Some(1))),
            _ => Ok::<_, MyError>(Page::new(vec![2], Some(0))),
        }
    });
    let out: Vec<Result<i32, MyError>> = s.collect().await;
    assert!(
        matches!(out.as_slice(), [Ok(1), Ok(2), Err(MyError::Loop)]),
        "{out:?}"
    );
    let _ = MyError::Http;
}

/// A provider that keeps saying "more" with a fresh cursor each time and no
/// records (Shopify's `{"nodes":[],"pageInfo":{"hasNextPage":true,"endCursor":"c<n>"}}`)
/// never repeats a cursor, so the repeated-cursor guard never fires: the
/// listing was followed forever, returning nothing. It now ends with an error
/// after a few empty pages in a row; an empty page between full ones is fine.
#[tokio::test]
async fn fresh_cursors_on_empty_pages_are_an_error_not_a_stall() {
    let server = MockServer::start().await;
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = served.clone();
    Mock::given(method("GET"))
        .and(path("/things"))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // One record on the first page, one empty page, one record, then
            // empty pages with fresh cursors for ever.
            let ids: &[&str] = match n {
                0 => &["a"],
                2 => &["b"],
                _ => &[],
            };
            page(ids, Some(&format!("c{n}")))
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let out: Vec<Result<Thing, HttpError>> = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        list(&client).take(100).collect(),
    )
    .await
    .expect("the listing ends");
    let ids: Vec<&str> = out
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|t| t.id.as_str()))
        .collect();
    assert_eq!(ids, ["a", "b"]);
    let err = out.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(
            err.kind(),
            HttpErrorKind::Pagination(PaginationError::EmptyPages { pages: 3 })
        ),
        "{err:?}"
    );
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 6);
}
