//! Limits at the HTTP layer, so that one client cannot hold the server's memory, its workers or
//! its connections:
//!
//! - the wizard's form posts (`/api/wizard/...`) are at most [`WIZARD_BODY_LIMIT`] bytes: its
//!   largest form, step 5 with a page of invoices, is a few KiB; more is answered 413;
//! - a request is answered within [`REQUEST_TIMEOUT`], or with 503 (the server, not the client,
//!   ran out of time; 408 would tell the browser that the client was too slow, and invite it to
//!   resend). Every handler is safe to stop half way: a transaction rolls back, and a confirm
//!   that stopped is finished by the next one or by the worker;
//! - an HTTP/1 connection must send a request's headers within [`HEADER_READ_TIMEOUT`] of
//!   becoming idle, whether it is new or kept alive after an answer, or it is closed; this is
//!   also how long an idle keep-alive connection stays open;
//! - at most [`MAX_CONNECTIONS`] connections are served at once; further ones wait in the
//!   kernel's accept queue until one closes.

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// The largest body a wizard form post may have.
pub const WIZARD_BODY_LIMIT: usize = 64 * 1024;
/// How long a request may take, from its headers to the head of its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an idle HTTP/1 connection may take to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;

/// The body limit on wizard form posts and the timeout on every request.
pub async fn limit_requests(request: Request, next: Next) -> Response {
    answer_within(REQUEST_TIMEOUT, WIZARD_BODY_LIMIT, request, next).await
}

async fn answer_within(
    timeout: Duration,
    wizard_body_limit: usize,
    request: Request,
    next: Next,
) -> Response {
    let answered = async {
        let request = if request.uri().path().starts_with("/api/wizard/") {
            match with_limited_body(request, wizard_body_limit).await {
                Ok(request) => request,
                Err(refusal) => return refusal,
            }
        } else {
            request
        };
        next.run(request).await
    };
    match tokio::time::timeout(timeout, answered).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "This request took too long to answer and was stopped. Please try again.",
        )
            .into_response(),
    }
}

/// The request with its body read into memory, or the answer refusing it: 413 when it is
/// longer than `limit` (said by its length, or found while reading), 400 when it cannot be read.
async fn with_limited_body(request: Request, limit: usize) -> Result<Request, Response> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "This form is larger than {} KiB, far more than the payment pages send. \
                 Reload the page and try again.",
                limit / 1024
            ),
        )
            .into_response()
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let (parts, mut body) = request.into_parts();
    let mut collected = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Err((
                StatusCode::BAD_REQUEST,
                "The form could not be read to the end. Please send it again.",
            )
                .into_response());
        };
        if let Ok(data) = frame.into_data() {
            if collected.len() + data.len() > limit {
                return Err(too_large());
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(Request::from_parts(
        parts,
        Body::from(Bytes::from(collected)),
    ))
}

/// Serves `router` on `listener` with the connection limits above until `shutdown` completes,
/// then finishes the requests in flight. (`axum::serve` cannot set hyper's header-read timeout
/// or cap connections.)
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    // As axum::serve does, for HTTP/2 websockets.
    builder.http2().enable_connect_protocol();
    serve_with(listener, router, shutdown, builder, MAX_CONNECTIONS).await
}

async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    builder: auto::Builder<TokioExecutor>,
    max_connections: usize,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(move |mut request: axum::http::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A connection that failed while it was being accepted is the client's problem; anything else
/// (too many open files, most likely) is given a second before the next try, as axum does.
async fn wait_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn body_of(request: Request) -> Result<Vec<u8>, StatusCode> {
        match with_limited_body(request, 16).await {
            Ok(request) => Ok(axum::body::to_bytes(request.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec()),
            Err(refusal) => Err(refusal.status()),
        }
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_whether_declared_or_not() {
        let small = Request::new(Body::from("a=1&b=2"));
        assert_eq!(body_of(small).await, Ok(b"a=1&b=2".to_vec()));
        let declared = Request::builder()
            .header(header::CONTENT_LENGTH, "17")
            .body(Body::empty())
            .unwrap();
        assert_eq!(body_of(declared).await, Err(StatusCode::PAYLOAD_TOO_LARGE));
        // No length declared (as with a chunked body): it is counted while it is read.
        let undeclared = Request::new(Body::from("0123456789 0123456789"));
        assert_eq!(
            body_of(undeclared).await,
            Err(StatusCode::PAYLOAD_TOO_LARGE)
        );
    }

    #[tokio::test]
    async fn a_request_that_takes_too_long_is_answered_503() {
        let router = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route("/quick", get(|| async { "soon" }))
            .layer(axum::middleware::from_fn(|request, next| {
                answer_within(Duration::from_millis(50), 16, request, next)
            }));
        let slow = Request::builder().uri("/slow").body(Body::empty()).unwrap();
        let answer = router.clone().oneshot(slow).await.unwrap();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        let quick = Request::builder()
            .uri("/quick")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            router.oneshot(quick).await.unwrap().status(),
            StatusCode::OK
        );
    }

    async fn test_server(
        max_connections: usize,
    ) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = Router::new().route("/", get(|| async { "hello" }));
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_millis(300));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve_with(
            listener,
            router,
            async {
                let _ = stopped.await;
            },
            builder,
            max_connections,
        ));
        (address, stop)
    }

    async fn get_on(stream: &mut TcpStream) -> String {
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        let mut answer = vec![0; 1024];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
            .await
            .expect("an answer in time")
            .unwrap();
        String::from_utf8_lossy(&answer[..read]).into_owned()
    }

    #[tokio::test]
    async fn a_client_that_never_finishes_its_headers_is_disconnected() {
        let (address, _stop) = test_server(8).await;
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: te")
            .await
            .unwrap();
        let mut rest = Vec::new();
        // Closed (or reset) well before the test's own deadline, without an answer.
        let _closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
            .await
            .expect("the server closes the connection");
        assert!(!String::from_utf8_lossy(&rest).contains("hello"));
    }

    #[tokio::test]
    async fn connections_over_the_cap_wait_until_one_closes() {
        let (address, _stop) = test_server(1).await;
        let mut first = TcpStream::connect(address).await.unwrap();
        assert!(get_on(&mut first).await.contains("hello"));
        let mut second = TcpStream::connect(address).await.unwrap();
        second
            .write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
            .await
            .unwrap();
        let mut answer = vec![0; 1024];
        let waited =
            tokio::time::timeout(Duration::from_millis(200), second.read(&mut answer)).await;
        assert!(waited.is_err(), "the second connection is not served yet");
        drop(first);
        let read = tokio::time::timeout(Duration::from_secs(5), second.read(&mut answer))
            .await
            .expect("served once the first closed")
            .unwrap();
        assert!(String::from_utf8_lossy(&answer[..read]).contains("hello"));
    }
}
