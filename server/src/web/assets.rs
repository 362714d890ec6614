//! The static files (the islands' JS and WASM, the stylesheet, `public/`), read into memory once
//! at start-up and answered from there: no file system call, no compression and no allocation
//! per request.
//!
//! - **Precompressed.** `scripts/precompress.sh` writes `.br` and `.gz` beside each text file at
//!   build time; the variant the browser accepts best is sent as it is, with `Vary`.
//! - **Strong ETags.** Each variant's tag is its content's SHA-256 (the compressed variants are
//!   tagged apart from the plain one, as their bytes differ), so a browser's revalidation gets a
//!   304 without a body.
//! - **Immutable when content-addressed.** The names in cargo-leptos's hash file
//!   (`portico.<hash>.js`, `.wasm`, `.css`) change whenever their bytes do: a browser keeps them
//!   a year without asking again. Every other file (`favicon.svg`, and the unhashed names of a
//!   build without hashes) is revalidated on each use.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Every file under the site root, by the path it is served at (`/pkg/portico.css`).
#[derive(Debug, Default)]
pub struct StaticAssets {
    files: HashMap<String, Asset>,
}

#[derive(Debug)]
struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    plain: Variant,
    brotli: Option<Variant>,
    gzip: Option<Variant>,
}

#[derive(Debug)]
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Plain,
}

impl StaticAssets {
    /// Reads every file under `site_root`. `hash_file` is cargo-leptos's list of the
    /// content-addressed names (`js: <hash>` lines), when the build made one; `output_name` is
    /// the stem those names share (`portico`) and `pkg_dir` the folder they are in (`pkg`).
    pub fn load(
        site_root: &Path,
        hash_file: Option<&str>,
        output_name: &str,
        pkg_dir: &str,
    ) -> io::Result<Self> {
        let content_addressed: HashSet<String> = hash_file
            .map(|text| content_addressed_paths(text, output_name, pkg_dir))
            .unwrap_or_default();
        let mut files = HashMap::new();
        if !site_root.is_dir() {
            // A server started without a build (the integration tests): pages still render.
            return Ok(Self { files });
        }
        let mut folders = vec![site_root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let Some(url_path) = url_path(site_root, &path) else {
                    continue;
                };
                if url_path.ends_with(".br") || url_path.ends_with(".gz") {
                    continue;
                }
                let sibling = |suffix: &str| {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    std::fs::read(name).ok()
                };
                let plain = std::fs::read(&path)?;
                let asset = Asset {
                    content_type: HeaderValue::from_static(content_type(&url_path)),
                    cache_control: HeaderValue::from_static(
                        if content_addressed.contains(&url_path) {
                            IMMUTABLE
                        } else {
                            REVALIDATE
                        },
                    ),
                    brotli: sibling(".br").map(|bytes| Variant::new(bytes, "br")),
                    gzip: sibling(".gz").map(|bytes| Variant::new(bytes, "gz")),
                    plain: Variant::new(plain, ""),
                };
                files.insert(url_path, asset);
            }
        }
        Ok(Self { files })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer for `path`, or `None` when no static file is served there (the caller then
    /// renders its not-found page).
    pub fn respond(&self, method: &Method, path: &str, request: &HeaderMap) -> Option<Response> {
        let asset = self.files.get(path)?;
        if method != Method::GET && method != Method::HEAD {
            return Some(
                Response::builder()
                    .status(StatusCode::METHOD_NOT_ALLOWED)
                    .header(header::ALLOW, "GET, HEAD")
                    .body(Body::from(
                        "A static file can only be read, with GET or HEAD.",
                    ))
                    .expect("a static status and header make a valid response"),
            );
        }
        let (variant, encoding) = asset.variant_for(request);
        let mut response = Response::builder()
            .header(header::ETAG, variant.etag.clone())
            .header(header::CACHE_CONTROL, asset.cache_control.clone())
            .header(header::VARY, "accept-encoding");
        if asset.already_seen(request) {
            return Some(
                response
                    .status(StatusCode::NOT_MODIFIED)
                    .body(Body::empty())
                    .expect("static headers make a valid response"),
            );
        }
        response = response
            .header(header::CONTENT_TYPE, asset.content_type.clone())
            .header(header::CONTENT_LENGTH, variant.bytes.len());
        match encoding {
            Encoding::Brotli => response = response.header(header::CONTENT_ENCODING, "br"),
            Encoding::Gzip => response = response.header(header::CONTENT_ENCODING, "gzip"),
            Encoding::Plain => {}
        }
        Some(
            response
                .body(Body::from(variant.bytes.clone()))
                .expect("static headers make a valid response"),
        )
    }
}

impl Variant {
    fn new(bytes: Vec<u8>, tag_suffix: &str) -> Self {
        let digest = Sha256::digest(&bytes);
        let mut tag = format!("\"{}", hex::encode(&digest[..16]));
        if !tag_suffix.is_empty() {
            tag.push('-');
            tag.push_str(tag_suffix);
        }
        tag.push('"');
        Self {
            bytes: Bytes::from(bytes),
            etag: HeaderValue::from_str(&tag).expect("hex digits and a dash are a valid header"),
        }
    }
}

impl Asset {
    /// The smallest variant the request's `Accept-Encoding` allows.
    fn variant_for(&self, request: &HeaderMap) -> (&Variant, Encoding) {
        let accepted = |coding: &str| {
            request
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .any(|value| accepts(value, coding))
        };
        if let Some(brotli) = &self.brotli
            && accepted("br")
        {
            return (brotli, Encoding::Brotli);
        }
        if let Some(gzip) = &self.gzip
            && accepted("gzip")
        {
            return (gzip, Encoding::Gzip);
        }
        (&self.plain, Encoding::Plain)
    }

    /// Whether `If-None-Match` names one of this file's variants (compared weakly, as RFC 9110
    /// asks for that header), so the browser's copy is current.
    fn already_seen(&self, request: &HeaderMap) -> bool {
        let tags: Vec<&[u8]> = [Some(&self.plain), self.brotli.as_ref(), self.gzip.as_ref()]
            .into_iter()
            .flatten()
            .map(|variant| variant.etag.as_bytes())
            .collect();
        request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|tag| tag.trim())
            .any(|tag| {
                tag == "*" || tags.contains(&tag.strip_prefix("W/").unwrap_or(tag).as_bytes())
            })
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (by name or `*`, with a q above zero).
fn accepts(header_value: &str, coding: &str) -> bool {
    header_value.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|parameter| {
            parameter
                .trim()
                .strip_prefix("q=")
                .map(str::trim)
                .is_some_and(|q| {
                    q == "0"
                        || q.strip_prefix("0.")
                            .is_some_and(|zeros| zeros.bytes().all(|digit| digit == b'0'))
                })
        });
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

/// The paths the hash file names: `/{pkg_dir}/{output_name}.{hash}.{extension}` for each
/// `extension: hash` line.
fn content_addressed_paths(hash_file: &str, output_name: &str, pkg_dir: &str) -> HashSet<String> {
    hash_file
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(extension, hash)| {
            format!(
                "/{pkg_dir}/{output_name}.{}.{}",
                hash.trim(),
                extension.trim()
            )
        })
        .collect()
}

/// `/`-separated path of `file` under `root`, or `None` for a name that is not UTF-8.
fn url_path(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?;
    let mut path = String::new();
    for part in relative.components() {
        path.push('/');
        path.push_str(part.as_os_str().to_str()?);
    }
    Some(path)
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, StaticAssets) {
        let root = tempfile::tempdir().expect("a temporary folder");
        let pkg = root.path().join("pkg");
        std::fs::create_dir(&pkg).expect("the pkg folder");
        std::fs::write(pkg.join("portico.abc123.css"), "body{}").expect("the stylesheet");
        std::fs::write(pkg.join("portico.abc123.css.br"), "brotli bytes").expect("its brotli");
        std::fs::write(pkg.join("portico.abc123.css.gz"), "gzip bytes").expect("its gzip");
        std::fs::write(root.path().join("favicon.svg"), "<svg/>").expect("the icon");
        let assets = StaticAssets::load(root.path(), Some("css: abc123\n"), "portico", "pkg")
            .expect("the site loads");
        (root, assets)
    }

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn compressed_files_are_served_not_listed() {
        let (_root, assets) = site();
        assert_eq!(assets.len(), 2);
        assert!(
            assets
                .respond(
                    &Method::GET,
                    "/pkg/portico.abc123.css.br",
                    &HeaderMap::new()
                )
                .is_none()
        );
        assert!(
            assets
                .respond(&Method::GET, "/../favicon.svg", &HeaderMap::new())
                .is_none()
        );
    }

    #[test]
    fn the_best_accepted_encoding_is_sent() {
        let (_root, assets) = site();
        let path = "/pkg/portico.abc123.css";
        let encoding = |accept: &'static str| {
            let response = assets
                .respond(
                    &Method::GET,
                    path,
                    &headers(&[(header::ACCEPT_ENCODING, accept)]),
                )
                .expect("the stylesheet is served");
            response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|value| value.to_str().expect("ascii").to_owned())
        };
        assert_eq!(encoding("gzip, deflate, br, zstd"), Some("br".to_owned()));
        assert_eq!(encoding("gzip"), Some("gzip".to_owned()));
        assert_eq!(encoding("br;q=0, gzip;q=0.5"), Some("gzip".to_owned()));
        assert_eq!(encoding("br;q=0.0, gzip;q=0"), None);
        assert_eq!(encoding("identity"), None);
        assert_eq!(encoding("*"), Some("br".to_owned()));
    }

    #[test]
    fn hashed_names_are_immutable_and_others_revalidated() {
        let (_root, assets) = site();
        let cache = |path: &str| {
            assets
                .respond(&Method::GET, path, &HeaderMap::new())
                .expect("served")
                .headers()[header::CACHE_CONTROL]
                .clone()
        };
        assert_eq!(cache("/pkg/portico.abc123.css"), IMMUTABLE);
        assert_eq!(cache("/favicon.svg"), REVALIDATE);
    }

    #[test]
    fn a_current_copy_gets_a_304_without_a_body() {
        let (_root, assets) = site();
        let first = assets
            .respond(
                &Method::GET,
                "/favicon.svg",
                &headers(&[(header::ACCEPT_ENCODING, "br")]),
            )
            .expect("served");
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG].to_str().expect("ascii");
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34);
        let mut again = HeaderMap::new();
        again.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", W/{tag}")).expect("a header"),
        );
        let second = assets
            .respond(&Method::GET, "/favicon.svg", &again)
            .expect("served");
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert!(second.headers().get(header::CONTENT_LENGTH).is_none());
        let stale = assets
            .respond(
                &Method::GET,
                "/favicon.svg",
                &headers(&[(header::IF_NONE_MATCH, "\"0123\"")]),
            )
            .expect("served");
        assert_eq!(stale.status(), StatusCode::OK);
    }

    #[test]
    fn each_variant_has_its_own_strong_tag() {
        let (_root, assets) = site();
        let tag = |accept: &'static str| {
            assets
                .respond(
                    &Method::GET,
                    "/pkg/portico.abc123.css",
                    &headers(&[(header::ACCEPT_ENCODING, accept)]),
                )
                .expect("served")
                .headers()[header::ETAG]
                .clone()
        };
        let (plain, brotli, gzip) = (tag("identity"), tag("br"), tag("gzip"));
        assert_ne!(plain, brotli);
        assert_ne!(plain, gzip);
        assert!(brotli.to_str().expect("ascii").ends_with("-br\""));
    }

    #[test]
    fn writing_to_a_static_file_is_refused_with_a_reason() {
        let (_root, assets) = site();
        let response = assets
            .respond(&Method::POST, "/favicon.svg", &HeaderMap::new())
            .expect("answered");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
    }
}
