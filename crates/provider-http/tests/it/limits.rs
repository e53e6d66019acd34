//! Broken servers: a body of a gigabyte, a server that never answers. Each
//! fails the request soon, with a typed error naming provider and endpoint,
//! in bounded memory. The servers are raw loopback sockets that stream what
//! they send (nothing of the gigabyte is ever allocated) and count it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use provider_http::{DEFAULT_MAX_RESPONSE_BYTES, HttpClient, HttpErrorKind, Limits, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::fast_retry;

const GIB: u64 = 1024 * 1024 * 1024;

/// A loopback server that answers every request with 200 and a JSON body of
/// `total` bytes written in 64 KiB chunks, announced with `Content-Length`
/// or sent chunked. Returns its base URL and the number of body bytes it
/// managed to write (it stops when the client hangs up).
async fn flood(total: u64, announce: bool) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = if announce {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
                };
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
                while sent < total {
                    let n = (total - sent).min(chunk.len() as u64) as usize;
                    let ok = if announce {
                        socket.write_all(&chunk[..n]).await.is_ok()
                    } else {
                        let framed =
                            [format!("{n:x}\r\n").as_bytes(), &chunk[..n], b"\r\n"].concat();
                        socket.write_all(&framed).await.is_ok()
                    };
                    if !ok {
                        return;
                    }
                    sent += n as u64;
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    (url, written)
}

#[tokio::test]
async fn a_streamed_gigabyte_fails_at_the_cap_in_bounded_memory() {
    let (url, written) = flood(GIB, false).await;
    let cap = 4 * 1024 * 1024;
    let client = HttpClient::builder("test", "https://api.example.com")
        .base_url(url)
        .retry(fast_retry(3))
        .limits(Limits::default().max_response_bytes(cap))
        .build()
        .unwrap();
    let err = client
        .get_json::<serde_json::Value>("/v1/reports/huge", &[])
        .await
        .unwrap_err();
    match err.kind() {
        HttpErrorKind::ResponseTooLarge { limit, declared } => {
            assert_eq!(*limit, cap);
            assert_eq!(*declared, None);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    // Named: provider and endpoint; not retried (the answer would be the same).
    assert_eq!(
        err.to_string(),
        "test: GET /v1/reports/huge: response larger than the limit of 4194304 bytes"
    );
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable());
    // Bounded: the client stopped reading at the cap. What the server got
    // out is the cap plus what the loopback socket buffers hold, far from
    // the gigabyte.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < cap + 64 * 1024 * 1024, "server wrote {sent} bytes");
    assert!(sent < GIB / 8, "server wrote {sent} bytes");
}

#[tokio::test]
async fn an_announced_gigabyte_fails_before_its_body_is_read() {
    let (url, _) = flood(GIB, true).await;
    // The default cap: generous for real pages, far below a gigabyte.
    let client = HttpClient::builder("test", "https://api.example.com")
        .base_url(url)
        .build()
        .unwrap();
    let err = client
        .get_json::<serde_json::Value>("/v1/payouts", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            HttpErrorKind::ResponseTooLarge { limit, declared: Some(d) }
                if *limit == DEFAULT_MAX_RESPONSE_BYTES && *d == GIB
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "test: GET /v1/payouts: response larger than the limit of 67108864 bytes (Content-Length 1073741824)"
    );
}

/// A server that accepts connections and reads requests but never answers.
async fn stall() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            held.push(socket);
        }
    });
    url
}

#[tokio::test]
async fn a_stalled_server_fails_at_the_deadline_with_retries_inside_it() {
    let url = stall().await;
    let client = HttpClient::builder("test", "https://api.example.com")
        .base_url(url)
        // Each attempt may take 400 ms; the request as a whole 1 s.
        .timeout(Duration::from_millis(400))
        .retry(fast_retry(10))
        .limits(Limits::default().deadline(Duration::from_secs(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get_json::<serde_json::Value>("/admin/api/graphql.json", &[])
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err.kind(), HttpErrorKind::Deadline { waited } if *waited == Duration::from_secs(1)),
        "{err:?}"
    );
    assert!(err.is_timeout() && err.is_retryable());
    // Retried inside the deadline (two or three attempts of 400 ms), not 10.
    assert!((2..=3).contains(&err.attempts()), "{err:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "test: GET /admin/api/graphql.json: no complete answer within 1 s (the request deadline, retries included), gave up after {} attempts",
            err.attempts()
        )
    );
}

#[tokio::test]
async fn the_default_deadline_is_a_minute() {
    assert_eq!(Limits::default().deadline, Duration::from_secs(60));
    // A wait the provider asks for that would end after the deadline is not
    // started: the request fails with the provider's answer at once.
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(503).insert_header("retry-after", "5"))
        .mount(&server)
        .await;
    let client = HttpClient::builder("test", "https://api.example.com")
        .base_url(server.uri())
        .retry(RetryPolicy::default().max_attempts(4))
        .limits(Limits::default().deadline(Duration::from_secs(2)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get_json::<serde_json::Value>("/x", &[])
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(err.attempts(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn escape_sequences_in_an_error_body_do_not_reach_the_message() {
    let server = wiremock::MockServer::start().await;
    let body = serde_json::json!({
        "error": {
            "type": "invalid_request_error",
            "code": "bad\u{1b}[2J",
            "message": "\u{1b}]0;owned\u{7}no such payout\r\n\u{1b}[32m✔ close completed\u{1b}[0m",
        }
    });
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;
    let client = HttpClient::builder("test", "https://api.example.com")
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = client
        .get_json::<serde_json::Value>("/v1/payouts/po_1", &[])
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert_eq!(
        shown,
        "test: GET /v1/payouts/po_1: 400 Bad Request: bad: no such payout  ✔ close completed"
    );
    // The raw body is kept for diagnosis, as sent.
    assert!(err.body().unwrap().text.contains("\\u001b"));
}
