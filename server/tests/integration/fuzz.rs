//! The HTTP fuzzer: every server function (from Leptos's registry) and every `/api/v1` route
//! (from the OpenAPI document) is sent malformed, oversized, wrong-typed, duplicated and
//! missing fields, huge numbers, invalid UTF-8 and wrong content types, from no session, from
//! sessions at several steps and from another merchant's session, with several API keys. Every
//! answer must be below 500, come from a server that did not panic, say specifically what was
//! wrong when it refuses, and leave the ledger as it was when it refuses.
//!
//! `PORTICO_FUZZ_REQUESTS` requests per database (the test command's short form is
//! [`SHORT_FORM`]; `scripts/fuzz.sh` runs 10,000), from the seed `PORTICO_FUZZ_SEED`. It prints
//! `requests tried, 5xx, panics` and what it found.

use crate::helpers::{Browser, TestApp, TestDb, location};
use crate::sign_in::{BUSINESS, fill_in_business, sign_in};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, Once};

const SHORT_FORM: usize = 600;

/// SplitMix64: a seeded, dependency-free generator, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Panics counted per thread name: a `#[tokio::test]` runs the server it spawned on its own
/// thread, which the test harness names after the test, so each run counts its own.
static PANICS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            let mut panics = PANICS
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *panics
                .get_or_insert_with(HashMap::new)
                .entry(thread)
                .or_default() += 1;
            drop(panics);
            previous(info);
        }));
    });
}

fn panics_on_this_thread() -> usize {
    let thread = std::thread::current().name().unwrap_or("").to_owned();
    PANICS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .and_then(|panics| panics.get(&thread).copied())
        .unwrap_or(0)
}

/// Values that parsers get wrong: empty, blank, huge, negative, exotic numbers, markup,
/// control characters, right-to-left marks, other scripts, and a few valid ones so that some
/// requests get further in.
fn awkward_values(rng: &mut Rng, ids: &[String]) -> String {
    let fixed = [
        "",
        " ",
        "0",
        "-1",
        "0.001",
        "-0.00",
        "1e400",
        "NaN",
        "Infinity",
        "1,000.00",
        "$5",
        "10.00",
        "79228162514264337593543950336",
        "12/30",
        "13/99",
        "00/00",
        "4242424242424242",
        "4000000000000002",
        "110000000",
        "000123456789",
        "ap@globex.example",
        "x@y",
        "a@b.c",
        "null",
        "true",
        "[]",
        "{}",
        "on",
        "checking",
        "business",
        "us_ach",
        "ca_pad",
        "ca_eft",
        "card",
        "installments",
        "northwind",
        "maple-wholesale",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u{0}",
        "\u{202e}evil",
        "日本語の請求書",
        "🧾💸",
        "9999-12-31",
        "0000-00-00",
        "2026-02-30",
        "ba_00000000000000000000000000000000",
        "card_zz",
    ];
    match rng.below(10) {
        0 => "9".repeat(1 + rng.below(600)),
        1 => "a".repeat(200 + rng.below(2000)),
        2 if !ids.is_empty() => rng.pick(ids).clone(),
        3 => uuid::Uuid::new_v4().to_string(),
        _ => (*rng.pick(&fixed)).to_owned(),
    }
}

/// What a request carried and what came back.
struct Outcome {
    label: String,
    status: Option<u16>,
    refused: bool,
    specific: bool,
    body: String,
}

/// A count per table (and per status) of everything a refused request must leave alone.
/// Sessions (a refused form keeps what was typed), sign-in codes (wrong attempts are counted)
/// and stored idempotent answers are meant to change, so they are not in it.
async fn ledger(app: &TestApp) -> Vec<(String, i64)> {
    let tables = [
        "merchants",
        "merchant_payment_methods",
        "merchant_installment_terms",
        "customers",
        "customer_contacts",
        "invoices",
        "invoice_line_items",
        "payments",
        "allocations",
        "api_keys",
        "access_requests",
        "bank_accounts",
        "saved_cards",
        "payment_authorizations",
        "sandbox_charges",
        "sandbox_debits",
        "jobs",
    ];
    let mut query: Vec<String> = tables
        .iter()
        .map(|table| format!("SELECT '{table}', COUNT(*) FROM {table}"))
        .collect();
    query.push("SELECT 'voided invoices', COUNT(voided_at) FROM invoices".to_owned());
    query.push("SELECT 'payments ' || status, COUNT(*) FROM payments GROUP BY status".to_owned());
    let mut rows: Vec<(String, i64)> = sqlx::query_as(&query.join(" UNION ALL "))
        .fetch_all(app.db.pool())
        .await
        .expect("the ledger is readable");
    rows.sort();
    rows
}

/// A form's fields, as `Browser::submit` takes them.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// The sessions the fuzzer sends requests from.
struct Sessions {
    at_invoices: String,
    at_review: String,
    other_merchant: String,
}

async fn sessions(app: &TestApp) -> Sessions {
    let at_invoices = Browser::new(app);
    sign_in(app, &at_invoices, "ap@globex.example").await;
    fill_in_business(&at_invoices, &BUSINESS).await;

    let at_review = Browser::new(app);
    let email = "controller@globex.example";
    add_contact(app, email).await;
    sign_in(app, &at_review, email).await;
    let slug = "northwind";
    let (_, amounts) = at_review.page(&format!("/pay/{slug}/amounts")).await;
    let invoice = amounts
        .split("name=\"invoice[]\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("step 5 lists an invoice")
        .to_owned();
    let invoice = invoice.as_str();
    let page = |step: &str| format!("/pay/{slug}/{step}");
    let steps: [(&str, &str, Form); 3] = [
        (
            "amounts",
            "wizard/amounts",
            vec![
                ("pay[]", invoice),
                ("invoice[]", invoice),
                ("amount[]", "1.00"),
            ],
        ),
        ("method", "wizard/method", vec![("method", "card")]),
        (
            "details",
            "wizard/card",
            vec![
                ("card_number", "4242424242424242"),
                ("expiry", "12/30"),
                ("security_code", "123"),
                ("name_on_card", "Ana López"),
                ("postal_code", "94105"),
            ],
        ),
    ];
    for (step, endpoint, fields) in steps {
        let mut form = vec![("merchant_slug", slug)];
        form.extend(fields);
        let answer = at_review.submit(&page(step), endpoint, &form).await;
        assert!(Browser::error_in(&answer).is_none(), "{endpoint}: {answer}");
    }

    let other_merchant = Browser::new(app);
    let maple = "/pay/maple-wholesale";
    other_merchant
        .submit(
            maple,
            "wizard/email",
            &[
                ("merchant_slug", "maple-wholesale"),
                ("email", "ap@globex.example"),
            ],
        )
        .await;
    let code = app.latest_code("ap@globex.example").await;
    other_merchant
        .submit(
            &format!("{maple}/verify"),
            "wizard/code",
            &[("merchant_slug", "maple-wholesale"), ("code", &code)],
        )
        .await;

    let cookie = |browser: &Browser| {
        browser
            .cookie_header()
            .expect("a signed-in browser has a cookie")
    };
    Sessions {
        at_invoices: cookie(&at_invoices),
        at_review: cookie(&at_review),
        other_merchant: cookie(&other_merchant),
    }
}

/// Makes `email` a second contact of the demo customer Globex, whose profile is complete.
async fn add_contact(app: &TestApp, email: &str) {
    let key = server::admin::create_api_key(&app.db, "northwind")
        .await
        .unwrap()
        .api_key;
    let customers = app.api_get(&key, "/customers?limit=100").await;
    let globex = customers.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|customer| {
            customer["name"]
                .as_str()
                .is_some_and(|name| name.contains("Globex"))
        })
        .expect("the demo has Globex")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api_post(
        &key,
        &format!("/customers/{globex}/contacts"),
        &json!({"email": email}),
    )
    .await
    .ok(200);
}

/// Every `name="..."` of the wizard's pages as these sessions see them, so that the fuzzer
/// sends the fields the forms really have.
async fn form_field_names(app: &TestApp, cookies: &[&str]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for cookie in cookies {
        for step in [
            "",
            "/verify",
            "/business",
            "/invoices",
            "/amounts",
            "/method",
            "/details",
            "/review",
        ] {
            let page = app
                .client
                .get(format!("{}/pay/northwind{step}", app.address))
                .header("cookie", *cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            for piece in page.split("name=\"").skip(1) {
                if let Some(name) = piece.split('"').next() {
                    names.insert(name.to_owned());
                }
            }
        }
    }
    names.retain(|name| !["viewport", "description", "color-scheme"].contains(&name.as_str()));
    names.into_iter().collect()
}

fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A request to a server function: a form (or something that is not one) from one of the
/// sessions, to the endpoint's method or another.
async fn server_function_request(
    app: &TestApp,
    rng: &mut Rng,
    endpoint: &str,
    names: &[String],
    cookies: &[Option<String>],
    ids: &[String],
) -> Outcome {
    let mut fields: Vec<(String, String)> = Vec::new();
    if !rng.chance(10) {
        let slug = *rng.pick(&[
            "northwind",
            "northwind",
            "northwind",
            "maple-wholesale",
            "nobody",
            "",
        ]);
        fields.push(("merchant_slug".to_owned(), slug.to_owned()));
    }
    for _ in 0..rng.below(7) {
        let name = if rng.chance(85) {
            rng.pick(names).clone()
        } else {
            awkward_values(rng, &[])
        };
        fields.push((name, awkward_values(rng, ids)));
    }
    if !fields.is_empty() && rng.chance(15) {
        let duplicate = fields[rng.below(fields.len())].clone();
        fields.push(duplicate);
    }
    let form = fields
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let (content_type, body): (Option<&str>, Vec<u8>) = match rng.below(20) {
        0 => (
            Some("application/x-www-form-urlencoded"),
            b"email=%FF%FE%FD&merchant_slug=north%C3wind".to_vec(),
        ),
        1 => (
            Some("application/x-www-form-urlencoded"),
            [form.as_bytes(), b"&\xff\xfe=\xc3"].concat(),
        ),
        2 => (
            Some("application/json"),
            serde_json::to_vec(&fields.iter().cloned().collect::<HashMap<_, _>>()).unwrap(),
        ),
        3 => (Some("text/plain"), form.clone().into_bytes()),
        4 => (None, form.clone().into_bytes()),
        5 => (
            Some("multipart/form-data; boundary=x"),
            b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na\r\n--x--".to_vec(),
        ),
        6 => (
            Some("application/x-www-form-urlencoded"),
            format!("email={}", "a".repeat(70 * 1024)).into_bytes(),
        ),
        7 => (
            Some("application/x-www-form-urlencoded"),
            b"%%%&&&===".to_vec(),
        ),
        _ => (Some("application/x-www-form-urlencoded"), form.into_bytes()),
    };
    let method = match rng.below(20) {
        0 => reqwest::Method::GET,
        1 => reqwest::Method::PUT,
        _ => reqwest::Method::POST,
    };
    let cookie = rng.pick(cookies).clone();
    let javascript = rng.chance(50);
    let mut request = app
        .client
        .request(method.clone(), format!("{}{endpoint}", app.address))
        .header(
            "x-fuzz-client",
            format!(
                "10.{}.{}.{}",
                rng.below(250),
                rng.below(250),
                rng.below(250)
            ),
        )
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(cookie) = &cookie {
        request = request.header("cookie", cookie);
    }
    request = if javascript {
        request.header("accept", "application/json")
    } else {
        request
            .header("accept", "text/html")
            .header("referer", format!("{}/pay/northwind/amounts", app.address))
    };
    if rng.chance(90) {
        request = request.header("origin", &app.address);
    } else if rng.chance(50) {
        request = request.header("origin", "https://evil.example");
    }
    let label = format!(
        "{method} {endpoint} content-type {content_type:?} cookie {} javascript {javascript}",
        if cookie.is_some() { "yes" } else { "no" }
    );
    send(request, label).await
}

async fn send(request: reqwest::RequestBuilder, label: String) -> Outcome {
    match request.send().await {
        Err(error) => Outcome {
            label,
            status: None,
            refused: false,
            specific: false,
            body: format!("no answer: {error}"),
        },
        Ok(response) => {
            let status = response.status().as_u16();
            let error_in_redirect = location(&response).as_deref().and_then(Browser::error_in);
            let body = response.text().await.unwrap_or_default();
            let (refused, specific) = match (&error_in_redirect, status) {
                (Some(error), _) => (true, error.len() >= 12),
                (None, 400..=499) => (true, body.trim().len() >= 12),
                _ => (false, true),
            };
            Outcome {
                label,
                status: Some(status),
                refused,
                specific,
                body: error_in_redirect.unwrap_or(body),
            }
        }
    }
}

/// A schema's example value, filled from the awkward values, following `$ref`s.
fn value_for(document: &Value, schema: &Value, rng: &mut Rng, ids: &[String], depth: u8) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return value_for(
            document,
            &document["components"]["schemas"][name],
            rng,
            ids,
            depth,
        );
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array())
        && let Some(option) = options.get(rng.below(options.len()))
    {
        return value_for(document, option, rng, ids, depth);
    }
    if rng.chance(8) {
        // The wrong type.
        return rng
            .pick(&[
                json!(null),
                json!(12),
                json!(-1.5e308),
                json!(true),
                json!([]),
                json!({}),
                json!("text"),
            ])
            .clone();
    }
    match schema["type"].as_str() {
        Some("object") if depth < 4 => {
            let mut object = serde_json::Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if !rng.chance(12) {
                        object.insert(
                            name.clone(),
                            value_for(document, property, rng, ids, depth + 1),
                        );
                    }
                }
            }
            if rng.chance(8) {
                object.insert("unexpected".to_owned(), json!("field"));
            }
            Value::Object(object)
        }
        Some("array") if depth < 4 => {
            let items = &schema["items"];
            let count = if rng.chance(5) { 120 } else { rng.below(4) };
            Value::Array(
                (0..count)
                    .map(|_| value_for(document, items, rng, ids, depth + 1))
                    .collect(),
            )
        }
        Some("integer") | Some("number") => rng
            .pick(&[
                json!(0),
                json!(1),
                json!(-1),
                json!(i64::MAX),
                json!(u64::MAX),
                json!(1e300),
            ])
            .clone(),
        Some("boolean") => json!(rng.chance(50)),
        _ => {
            if let Some(choices) = schema["enum"].as_array().filter(|_| rng.chance(70)) {
                return rng.pick(choices).clone();
            }
            if let Some(example) = schema.get("example").filter(|_| rng.chance(40)) {
                return example.clone();
            }
            json!(awkward_values(rng, ids))
        }
    }
}

/// One call to a documented API operation.
#[allow(clippy::too_many_arguments)]
async fn api_request(
    app: &TestApp,
    rng: &mut Rng,
    document: &Value,
    path: &str,
    method: &str,
    operation: &Value,
    keys: &[Option<String>],
    ids: &[String],
) -> Outcome {
    let concrete = path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                match rng.below(6) {
                    0 => percent_encode(&awkward_values(rng, &[])),
                    1 => uuid::Uuid::new_v4().to_string(),
                    2 => "%FF%FE".to_owned(),
                    _ => rng.pick(ids).clone(),
                }
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut query = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "query" && rng.chance(50) {
            let name = parameter["name"].as_str().unwrap_or_default();
            let value = value_for(document, &parameter["schema"], rng, ids, 0);
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            query.push(format!(
                "{}={}",
                percent_encode(name),
                percent_encode(&text)
            ));
        }
    }
    if rng.chance(10) {
        query.push(format!("{}=1", percent_encode(&awkward_values(rng, &[]))));
    }
    let url = if query.is_empty() {
        format!("{}{concrete}", app.address)
    } else {
        format!("{}{concrete}?{}", app.address, query.join("&"))
    };
    let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = app.client.request(method.clone(), url);
    if let Some(key) = rng.pick(keys) {
        request = request.header("authorization", key.as_str());
    }
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let body_kind = rng.below(20);
    if !schema.is_null() || rng.chance(10) {
        let value = value_for(document, schema, rng, ids, 0);
        let text = serde_json::to_string(&value).unwrap();
        let (content_type, body): (&str, Vec<u8>) = match body_kind {
            0 => (
                "application/json",
                text.as_bytes()[..text.len() / 2].to_vec(),
            ),
            1 => (
                "application/json",
                [b"{\"name\": \"", &b"\xff\xfe"[..], b"\"}"].concat(),
            ),
            2 => (
                "application/json",
                b"{\"name\": \"a\", \"name\": \"b\", \"email\": 1e99999}".to_vec(),
            ),
            3 => ("text/plain", text.into_bytes()),
            4 => (
                "application/json",
                format!("[\"{}\"]", "a".repeat(300 * 1024)).into_bytes(),
            ),
            5 => ("application/json; charset=latin1", text.into_bytes()),
            _ => ("application/json", text.into_bytes()),
        };
        request = request.header("content-type", content_type).body(body);
    }
    if method == reqwest::Method::POST && rng.chance(60) {
        let key = match rng.below(5) {
            0 => "".to_owned(),
            1 => "ключ".to_owned(),
            2 => "k".repeat(300),
            _ => format!("fuzz-{}", rng.below(40)),
        };
        if let Ok(value) = reqwest::header::HeaderValue::from_bytes(key.as_bytes()) {
            request = request.header("idempotency-key", value);
        }
    }
    send(
        request,
        format!("{method} {path} (as {concrete}) body kind {body_kind}"),
    )
    .await
}

/// Each request names its own client (so the per-client limits do not end the run's variety
/// after a few dozen requests), and the API's rate limit is out of the way for the same reason.
const FUZZ_VARS: [(&str, &str); 2] = [
    ("PORTICO_CLIENT_IP_HEADER", "x-fuzz-client"),
    ("PORTICO_API_REQUESTS_PER_MINUTE", "1000000"),
];

#[tokio::test]
async fn no_request_fails_panics_or_changes_what_it_refused_on_sqlite() {
    let app = TestApp::spawn_with(TestDb::Sqlite, &FUZZ_VARS)
        .await
        .unwrap();
    fuzz(app).await;
}

#[tokio::test]
async fn no_request_fails_panics_or_changes_what_it_refused_on_postgres() {
    if let Some(app) = TestApp::spawn_with(TestDb::Postgres, &FUZZ_VARS).await {
        let database_url = app.database_url().to_owned();
        fuzz(app).await;
        crate::helpers::drop_postgres_database(&database_url).await;
    }
}

async fn fuzz(app: TestApp) {
    count_panics();
    let total: usize = std::env::var("PORTICO_FUZZ_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SHORT_FORM);
    let seed: u64 = std::env::var("PORTICO_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5EED);
    let mut rng = Rng(seed);

    let acme = app.merchant("acme", "US").await;
    let rival = app.merchant("rival", "US").await;
    let customer = crate::api_invoices::new_customer(&app, &acme, "buyer@acme.example").await;
    let invoice = crate::api_invoices::new_invoice(&app, &acme, &customer, "F-1", "100.00").await;
    let rival_customer =
        crate::api_invoices::new_customer(&app, &rival, "buyer@rival.example").await;
    let ids = vec![
        customer.clone(),
        invoice["id"].as_str().unwrap().to_owned(),
        rival_customer,
    ];

    let sessions = sessions(&app).await;
    let names = form_field_names(&app, &[&sessions.at_invoices, &sessions.at_review]).await;
    let cookies = vec![
        None,
        Some(sessions.at_invoices.clone()),
        Some(sessions.at_review.clone()),
        Some(sessions.other_merchant.clone()),
        Some("portico_session=0000".to_owned()),
    ];
    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    endpoints.sort();
    assert!(
        endpoints.iter().any(|path| path == "/api/wizard/confirm"),
        "{endpoints:?}"
    );

    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let operations: Vec<(String, String, Value)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .map(|(method, operation)| (path.clone(), method.clone(), operation.clone()))
        })
        .collect();
    let keys = vec![
        Some(format!("Bearer {}", acme.api_key)),
        Some(format!("Bearer {}", acme.api_key)),
        Some(format!("Bearer {}", rival.api_key)),
        Some("Bearer pk_not_a_key".to_owned()),
        Some(format!("Basic {}", acme.api_key)),
        None,
    ];

    let mut tried = 0;
    let mut failures: Vec<String> = Vec::new();
    let mut refused = 0;
    let mut before = ledger(&app).await;
    while tried < total {
        let outcome = if rng.chance(50) {
            let endpoint = rng.pick(&endpoints).clone();
            server_function_request(&app, &mut rng, &endpoint, &names, &cookies, &ids).await
        } else {
            let (path, method, operation) = rng.pick(&operations).clone();
            api_request(
                &app, &mut rng, &document, &path, &method, &operation, &keys, &ids,
            )
            .await
        };
        tried += 1;
        let after = ledger(&app).await;
        let fault = match outcome.status {
            None => Some("no answer"),
            Some(500..) => Some("5xx"),
            _ if outcome.refused && !outcome.specific => {
                Some("a refusal that does not say what was wrong")
            }
            _ if outcome.refused && after != before => Some("a refusal that changed the ledger"),
            _ => None,
        };
        refused += usize::from(outcome.refused);
        if let Some(fault) = fault {
            let body: String = outcome.body.chars().take(300).collect();
            failures.push(format!(
                "{fault}: {} -> {:?}: {body}",
                outcome.label, outcome.status
            ));
        }
        before = after;
    }
    let server_errors = failures
        .iter()
        .filter(|failure| failure.starts_with("5xx"))
        .count();
    let panics = panics_on_this_thread();
    println!(
        "HTTP fuzz on {:?} (seed {seed}): {tried} requests tried, {server_errors} 5xx, {panics} panics; \
             {refused} refused; {} server functions, {} API operations",
        app.backend,
        endpoints.len(),
        operations.len(),
    );
    for failure in failures.iter().take(20) {
        println!("  {failure}");
    }
    assert!(
        failures.is_empty() && panics == 0,
        "{} failures, {panics} panics: {failures:#?}",
        failures.len()
    );
}
