//! A provider that is busy: the first answer is `429 Too Many Requests` with `Retry-After: 1`,
//! the second the data. The client waits as told, retries once and returns the data; the
//! attempts it made are printed.
//!
//! Runs against a tiny server on loopback that this example starts itself:
//!
//! ```sh
//! cargo run -p provider-http --example retry_after
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use provider_http::{HttpClient, HttpError, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, serde::Deserialize)]
struct Balance {
    available: i64,
    currency: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = Arc::new(AtomicUsize::new(0));
    tokio::spawn(serve(listener, Arc::clone(&served)));

    let client = HttpClient::builder("example", "https://api.example.com")
        .base_url(base)
        .retry(RetryPolicy::default().max_attempts(3))
        .build()?;

    let started = Instant::now();
    let balance: Balance = client.get_json("/v1/balance", &[]).await?;
    println!(
        "balance {} {} after {} requests in {:.1?} (the server asked for one second's pause)",
        balance.available,
        balance.currency,
        served.load(Ordering::SeqCst),
        started.elapsed()
    );
    Ok(())
}

/// Answers the first request with 429 and `Retry-After: 1`, every later one with a balance.
async fn serve(listener: TcpListener, served: Arc<AtomicUsize>) -> Result<(), HttpError> {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let mut request = [0u8; 4096];
        // One read holds these small requests; the example needs nothing from them.
        let _ = socket.read(&mut request).await;
        let response = if served.fetch_add(1, Ordering::SeqCst) == 0 {
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
        } else {
            let body = r#"{"available":123450,"currency":"sek"}"#;
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
        };
        let _ = socket.write_all(response.as_bytes()).await;
    }
}
