//! The static files, served from memory by the real server. They touch no database, so these
//! run on SQLite only.

use crate::helpers::{TestApp, TestDb};

/// A built site as `scripts/precompress.sh` leaves it: the stylesheet with its brotli and gzip
/// copies, and an icon.
fn built_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("a temporary folder");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("the pkg folder");
    std::fs::write(pkg.join("portico.css"), "body { margin: 0 }\n").expect("the stylesheet");
    std::fs::write(pkg.join("portico.css.br"), b"\x0b\x08\x80body").expect("its brotli copy");
    std::fs::write(pkg.join("portico.css.gz"), b"\x1f\x8bgzip").expect("its gzip copy");
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").expect("the icon");
    site
}

async fn serving(site: &tempfile::TempDir) -> TestApp {
    let root = site.path().display().to_string();
    TestApp::spawn_with(TestDb::Sqlite, &[("LEPTOS_SITE_ROOT", &root)])
        .await
        .expect("SQLite is always available")
}

#[tokio::test]
async fn the_stylesheet_is_sent_precompressed_with_a_strong_tag() {
    let site = built_site();
    let app = serving(&site).await;
    let response = app
        .client
        .get(format!("{}/pkg/portico.css", app.address))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(headers["vary"], "accept-encoding");
    // No hash file in a test build: the unhashed name is revalidated, never kept for good.
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let tag = headers["etag"].to_str().expect("an ASCII tag").to_owned();
    assert!(!tag.starts_with("W/"), "a strong tag: {tag}");
    assert_eq!(
        response.bytes().await.expect("the body").as_ref(),
        b"\x0b\x08\x80body"
    );

    let again = app
        .client
        .get(format!("{}/pkg/portico.css", app.address))
        .header("accept-encoding", "gzip, deflate, br")
        .header("if-none-match", &tag)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.expect("the body").is_empty());
}

#[tokio::test]
async fn a_client_without_compression_gets_the_plain_file() {
    let site = built_site();
    let app = serving(&site).await;
    let response = app.get("/pkg/portico.css").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.text().await.expect("text"), "body { margin: 0 }\n");
}

#[tokio::test]
async fn a_missing_file_gets_the_not_found_page() {
    let site = built_site();
    let app = serving(&site).await;
    let response = app.get("/pkg/portico.old.css").await;
    assert_eq!(response.status(), 404);
    let page = response.text().await.expect("text");
    assert!(page.contains("We could not find that page"), "{page}");
}

#[tokio::test]
async fn a_static_file_cannot_be_written() {
    let site = built_site();
    let app = serving(&site).await;
    let response = app
        .client
        .put(format!("{}/favicon.svg", app.address))
        .header("origin", &app.address)
        .body("<svg/>")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("only be read")
    );
}
