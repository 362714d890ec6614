//! What the OpenAPI document says about the values the API reads beyond their JSON types, and
//! the problem responses its operations share.
//!
//! Every string a handler hands to a domain parser is a component here whose `pattern` (with
//! `maxLength` or `enum` where one is needed) matches exactly the texts that parser accepts: a
//! client generated from the document never sends a value the server refuses, and the server
//! never refuses a value the document allows. The limits and codes come from the domain itself
//! (`LegalName::MAX_CHARS`, `InvoiceStatus::ALL`); the patterns mirror the parsers
//! (`EmailAddress::parse`, `Money::parse`, `Uuid::parse_str`, …) and change with them.
//!
//! The patterns avoid `\s`, `\d` and `\p{…}`, which ECMA-262, Rust and Python read differently,
//! and name their characters instead.

use crate::api::problem::PROBLEM_JSON;
use app::domain::installment_plan::{
    InstallmentStatus as InstallmentStatusCode, PlanStatus as PlanStatusCode,
};
use app::domain::invoice::InvoiceStatus as InvoiceStatusCode;
use app::domain::merchant::Country;
use app::domain::money::Currency;
use app::domain::payment::{PaymentMethodKind, PaymentStatus as PaymentStatusCode};
use std::borrow::Cow;
use utoipa::openapi::response::Response;
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema, Type,
};
use utoipa::{PartialSchema, ToResponse, ToSchema};

/// What `str::trim` removes around typed text: Unicode's White_Space characters.
const TRIMMED: &str = r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// A character that is neither trimmed nor a control character: what trimmed text starts and
/// ends with.
const VISIBLE: &str = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Anything but a control character (`char::is_control`).
const NOT_CONTROL: &str = r"[^\x00-\x1f\x7f-\x9f]";
/// Anything but a control character other than a line break.
const NOT_CONTROL_BUT_NEWLINES: &str = r"[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]";

/// What `app::domain::text` accepts for a text of at most `max_chars`: anything that trims to 1
/// to `max_chars` characters with no control character in it (line breaks allowed inside when
/// `newlines`).
pub fn text_pattern(max_chars: usize, newlines: bool) -> String {
    let inner = if newlines {
        NOT_CONTROL_BUT_NEWLINES
    } else {
        NOT_CONTROL
    };
    let between = max_chars.saturating_sub(2);
    format!("^{TRIMMED}*{VISIBLE}(?:{inner}{{0,{between}}}{VISIBLE})?{TRIMMED}*$")
}

/// What `uuid::Uuid::parse_str` accepts (every id's `parse`): 32 hex digits in either case,
/// bare, hyphenated 8-4-4-4-12, hyphenated in braces, or hyphenated after `urn:uuid:` in either
/// case.
pub const UUID_PATTERN: &str = concat!(
    r"^(?:[0-9A-Fa-f]{32}",
    r"|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
    r"|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}",
    r"|[Uu][Rr][Nn]:[Uu][Uu][Ii][Dd]:",
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$",
);

/// What `EmailAddress::parse` accepts (with `maxLength` 254): surrounding white space, then a
/// dot-atom mailbox of at most 64 characters, `@`, and at least two dot-separated labels of 1
/// to 63 letters, digits and inner hyphens, the last one at least 2 long and not all digits.
/// Letters in either case (the address is lower-cased, which also turns the Kelvin sign U+212A
/// into `k`).
pub const EMAIL_PATTERN: &str = concat!(
    r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*",
    r"(?![^@]*\.\.)",
    r"[A-Za-z0-9\u212a!#$%&'*+/=?^_`{|}~-]",
    r"(?:[A-Za-z0-9\u212a!#$%&'*+/=?^_`{|}~.-]{0,62}[A-Za-z0-9\u212a!#$%&'*+/=?^_`{|}~-])?",
    r"@(?:[A-Za-z0-9\u212a](?:[A-Za-z0-9\u212a-]{0,61}[A-Za-z0-9\u212a])?\.)+",
    r"(?![0-9]+[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$)",
    r"[A-Za-z0-9\u212a][A-Za-z0-9\u212a-]{0,61}[A-Za-z0-9\u212a]",
    r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
);

/// What `Money::parse(_, _, AmountSyntax::Plain)` accepts for USD and CAD: digits, then
/// optionally a point and one or two digits; at most 9 digits before the point once leading
/// zeros are dropped; more than zero.
pub const AMOUNT_PATTERN: &str =
    r"^(?:0*[1-9][0-9]{0,8}(?:\.[0-9]{1,2})?|0+\.(?:0[1-9]|[1-9][0-9]?))$";

/// What `FeePercent::parse_text` accepts: 0 to 25 with at most two decimals.
pub const FEE_PERCENT_PATTERN: &str =
    r"^(?:(?:[0-9]|[01][0-9]|2[0-4])(?:\.[0-9]{1,2})?|25(?:\.00?)?)$";

/// What an installment minimum passes: `Money::parse`'s plain syntax, at least 1.00.
pub const PLAN_MINIMUM_PATTERN: &str = r"^0*[1-9][0-9]{0,8}(?:\.[0-9]{1,2})?$";

/// What a line item's quantity passes (`rust_decimal`'s `Decimal::from_str` of the trimmed
/// text, then `LineItem::new`): an optional `+`, digits with at most one point (either side of
/// it may be empty, not both) and `_` separators after the first digit, worth more than 0 and
/// at most 1,000,000, with no non-zero digit after the fourth decimal place.
pub const QUANTITY_PATTERN: &str = concat!(
    r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?(?:",
    // 0.xxxx: a non-zero digit among the first four decimals.
    r"0[0_]*\._*(?:[1-9](?:_*[0-9]){0,3}|0_*[1-9](?:_*[0-9]){0,2}|0_*0_*[1-9](?:_*[0-9])?",
    r"|0_*0_*0_*[1-9])[0_]*",
    // 1 to 999,999, with up to four decimals.
    r"|(?:0[0_]*)?[1-9]_*(?:[0-9]_*){0,5}(?:\.(?:_*[0-9]){0,4}[0_]*)?",
    // 1,000,000 exactly.
    r"|(?:0[0_]*)?1_*(?:0_*){6}(?:\.[0_]*)?",
    // .xxxx
    r"|\.(?:[1-9](?:_*[0-9]){0,3}|0_*[1-9](?:_*[0-9]){0,2}|0_*0_*[1-9](?:_*[0-9])?",
    r"|0_*0_*0_*[1-9])[0_]*",
    r")[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
);

/// What `Cursor::decode` accepts, which is what the API writes: lower-case hex of
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ|` and a hyphenated lower-case UUID. In hex a digit is `3[0-9]`,
/// `a`-`f` are `6[1-6]`, and `-` `T` `:` `.` `Z` `|` are `2d` `54` `3a` `2e` `5a` `7c`.
pub const CURSOR_PATTERN: &str = concat!(
    "^",
    "(?:3[0-9]){4}2d(?:3[0-9]){2}2d(?:3[0-9]){2}",
    "54(?:3[0-9]){2}3a(?:3[0-9]){2}3a(?:3[0-9]){2}2e(?:3[0-9]){6}5a",
    "7c",
    "(?:3[0-9]|6[1-6]){8}2d(?:3[0-9]|6[1-6]){4}2d(?:3[0-9]|6[1-6]){4}",
    "2d(?:3[0-9]|6[1-6]){4}2d(?:3[0-9]|6[1-6]){12}",
    "$",
);

/// What `AccentColour::parse` accepts.
pub const ACCENT_COLOUR_PATTERN: &str = "^#[0-9A-Fa-f]{6}$";

/// What `LogoUrl::parse` accepts, without the white space it trims: `https://`, a host's first
/// character (not `/`, `?` or `#`), then visible ASCII but `"` `'` `<` `>` `\` and `` ` ``.
pub const LOGO_URL_PATTERN: &str = r"^https://[!$-&(-.0-;=@-\[\]-_a-~][!#-&(-;=?-\[\]-_a-~]*$";

/// What `IdempotencyKey::parse` accepts: 1 to 255 visible ASCII characters.
pub const IDEMPOTENCY_KEY_PATTERN: &str = r"^[!-~]{1,255}$";

fn string(description: &str, pattern: impl Into<String>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
}

fn codes(description: &str, values: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
}

/// Declares a unit type that the handlers name with `value_type = …` and whose schema is the
/// component `$name`.
macro_rules! component {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

component!(
    /// Any id the API reads. (Not named `Uuid`: utoipa takes any type of that name for
    /// `uuid::Uuid` and writes `format: uuid` in place of this schema.)
    Id => string(
        "A UUID: 32 hex digits in either case, hyphenated 8-4-4-4-12 (the form the API writes), \
         bare, in braces, or after `urn:uuid:`.",
        UUID_PATTERN,
    )
    .examples(["0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11"])
);
component!(
    /// A contact's email address.
    EmailAddress => string(
        "An email address, stored trimmed and lower-cased: a mailbox of at most 64 letters, \
         digits, dots (not first, last or two in a row) and the symbols ! # $ % & ' * + / = ? \
         ^ _ ` { | } ~ -, then `@`, then a domain of at least two labels of letters, digits and inner hyphens whose last label \
         is at least 2 long and not all digits; at most 254 characters in all.",
        EMAIL_PATTERN,
    )
    .max_length(Some(254))
    .examples(["ap@globex.example"])
);
component!(
    /// `app::domain::text::LegalName`.
    LegalName => string(
        "A business's legal name: 1 to 200 characters once surrounding white space is \
         trimmed, without line breaks, tabs or other control characters.",
        text_pattern(app::domain::text::LegalName::MAX_CHARS, false),
    )
    .examples(["Globex Manufacturing Inc."])
);
component!(
    /// `app::domain::text::DisplayName`.
    DisplayName => string(
        "The name customers see: 1 to 100 characters once surrounding white space is trimmed, \
         without line breaks, tabs or other control characters.",
        text_pattern(app::domain::text::DisplayName::MAX_CHARS, false),
    )
    .examples(["Northwind IT Services"])
);
component!(
    /// `app::domain::merchant::AccentColour`.
    AccentColour => string("A colour as `#` and six hex digits.", ACCENT_COLOUR_PATTERN)
        .examples(["#1d4ed8"])
);
component!(
    /// `app::domain::merchant::LogoUrl`.
    LogoUrl => string(
        "An https:// address of the merchant's logo: a host, then anything but spaces, quotes, \
         angle brackets, backslashes and backticks; at most 500 characters.",
        LOGO_URL_PATTERN,
    )
    .max_length(Some(app::domain::merchant::LogoUrl::MAX_CHARS))
    .examples(["https://cdn.example.com/logo.png"])
);
component!(
    /// `app::domain::text::InvoiceNumber`.
    InvoiceNumber => string(
        "An invoice number: 1 to 64 characters once surrounding white space is trimmed, \
         without line breaks, tabs or other control characters.",
        text_pattern(app::domain::text::InvoiceNumber::MAX_CHARS, false),
    )
    .examples(["INV-1042"])
);
component!(
    /// `app::domain::text::ExternalId`.
    ExternalId => string(
        "An id in your accounting software: 1 to 128 characters once surrounding white space \
         is trimmed, without line breaks, tabs or other control characters.",
        text_pattern(app::domain::text::ExternalId::MAX_CHARS, false),
    )
    .examples(["QB-7731"])
);
component!(
    /// `app::domain::text::Memo`.
    Memo => string(
        "A note shown to the customer: 1 to 2000 characters once surrounding white space is \
         trimmed; line breaks are allowed, tabs and other control characters are not.",
        text_pattern(app::domain::text::Memo::MAX_CHARS, true),
    )
    .examples(["Thank you for your business."])
);
component!(
    /// `app::domain::text::LineDescription`.
    LineDescription => string(
        "What a line is for: 1 to 500 characters once surrounding white space is trimmed, \
         without line breaks, tabs or other control characters.",
        text_pattern(app::domain::text::LineDescription::MAX_CHARS, false),
    )
    .examples(["Managed IT support, November"])
);
component!(
    /// An amount the API reads (`Money::parse` in its plain syntax).
    Amount => string(
        "An amount in the invoice's currency, as a decimal string: digits, optionally a point \
         and one or two more; more than 0 and at most 999999999.99. No sign, spaces, thousands \
         separators or exponent.",
        AMOUNT_PATTERN,
    )
    .examples(["1250.00"])
);
component!(
    /// A line item's quantity.
    Quantity => string(
        "A quantity, as a decimal string: more than 0, at most 1000000, with at most 4 decimal \
         places (trailing zeros aside). Surrounding white space, a leading `+` and `_` digit \
         separators are accepted; an exponent is not.",
        QUANTITY_PATTERN,
    )
    .examples(["1"])
);
component!(
    /// A page cursor.
    Cursor => string(
        "Opaque: the `next_cursor` of the previous page, as the API returned it.",
        CURSOR_PATTERN,
    )
);
component!(
    /// `app::domain::merchant::Country`.
    CountryCode => codes(
        "`US` (United States) or `CA` (Canada).",
        [Country::UnitedStates, Country::Canada].map(Country::code),
    )
    .examples(["US"])
);
component!(
    /// `app::domain::money::Currency`.
    CurrencyCode => codes(
        "An ISO 4217 currency code.",
        [Currency::Usd, Currency::Cad].map(Currency::code),
    )
    .examples(["USD"])
);
component!(
    /// `app::domain::invoice::InvoiceStatus`.
    InvoiceStatus => codes(
        "Where an invoice stands: `open` (nothing covers it), `partially_paid`, `processing` \
         (fully covered, part of it by a bank payment that has not settled), `scheduled` (fully \
         covered, part of it by installments still to be collected), `paid` or `void`.",
        InvoiceStatusCode::ALL.map(InvoiceStatusCode::code),
    )
);
component!(
    /// `app::domain::payment::PaymentStatus`.
    PaymentStatus => codes(
        "Where a payment is in its life.",
        PaymentStatusCode::ALL.map(PaymentStatusCode::code),
    )
);
component!(
    /// `app::services::refunds::RefundStatus`.
    RefundStatus => codes(
        "What became of a refund: `pending` (asked of the processor, not answered yet: Portico \
         asks again on a back-off for about six hours, then lists it for the merchant to ask \
         again; its amount stays held meanwhile), `succeeded` (the money went back to the card), \
         `failed` (the processor refused it; nothing went back).",
        app::services::refunds::RefundStatus::ALL.map(app::services::refunds::RefundStatus::code),
    )
);
component!(
    /// `app::domain::reconciliation::Reconciliation`.
    ReconciliationState => codes(
        "Whether the payment is in the merchant's books: `unreconciled`, `reconciled` (by hand), \
         or an accounting connection's `queued`, `synced` or `failed`.",
        app::domain::reconciliation::Reconciliation::ALL
            .map(app::domain::reconciliation::Reconciliation::code),
    )
);
component!(
    /// `app::domain::payment::PaymentMethodKind`.
    PaymentMethod => codes(
        "How the customer paid.",
        PaymentMethodKind::ALL.map(PaymentMethodKind::code),
    )
);

component!(
    /// `app::domain::installment_plan::PlanStatus`.
    PlanStatus => codes(
        "Where an installment plan stands: `active` (collecting on schedule), `completed` (every \
         installment collected), `delinquent` (a collection failed for the last time; what the \
         plan had scheduled is owed again) or `cancelled` (ended early).",
        PlanStatusCode::ALL.map(PlanStatusCode::code),
    )
);
component!(
    /// `app::domain::installment_plan::InstallmentStatus`.
    InstallmentStatus => codes(
        "Where one installment stands: `scheduled`, `collecting` (its payment is under way), \
         `collected`, `awaiting_method` (its method was refused; the customer was asked for \
         another), `failed` or `cancelled`.",
        InstallmentStatusCode::ALL.map(InstallmentStatusCode::code),
    )
);

component!(
    /// `app::domain::installments::TermDays`.
    TermDays => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .description(Some("How long a plan runs, in days, from the first payment to the last."))
        .enum_values(Some(app::domain::installments::TermDays::ALL))
);
component!(
    /// `app::domain::installments::FeePercent::parse_text`.
    FeePercent => string(
        "A percentage from 0 to 25 as a decimal string: one or two digits, optionally a point \
         and one or two more. No sign, spaces or exponent.",
        FEE_PERCENT_PATTERN,
    )
    .examples(["2.50"])
);
component!(
    /// An amount of at least 1.00 (`Money::parse` in its plain syntax, then the minimum).
    PlanMinimum => string(
        "An amount of at least 1.00 and at most 999999999.99, as a decimal string: digits, \
         optionally a point and one or two more. No sign, spaces, thousands separators or \
         exponent.",
        PLAN_MINIMUM_PATTERN,
    )
    .examples(["100.00"])
);

/// A `$ref` to the response component `R`, for the addons that add responses to operations.
pub fn reference<'r, R: ToResponse<'r>>() -> RefOr<Response> {
    Ref::from_response_name(R::response().0).into()
}

fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    )
}

/// Declares a response component: a problem document, described once for every operation that
/// can answer it.
macro_rules! problem_response {
    ($(#[$doc:meta])* $name:ident => $response:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), $response.into())
            }
        }
    };
}

problem_response!(
    /// 400.
    BadRequest => problem(
        "The request could not be read: the body is not JSON (`malformed-json`), the query \
         string has an unknown, repeated or missing parameter (`invalid-query`), or the path \
         is not valid UTF-8 (`bad-request`).",
    )
);
problem_response!(
    /// 401, with the challenge.
    Unauthorized => problem(
        "No API key, a malformed `Authorization` header, or a key that is not valid or has \
         been revoked.",
    )
    .header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("`Bearer`."))
            .build(),
    )
);
problem_response!(
    /// 404.
    NotFound => problem("There is no such resource among this merchant's.")
);
problem_response!(
    /// 409.
    Conflict => problem(
        "The request conflicts with the current state (`conflict`), or its `Idempotency-Key` \
         was used for a different request (`idempotency-key-reused`) or is still being \
         processed (`idempotency-key-in-flight`).",
    )
);
problem_response!(
    /// 413.
    PayloadTooLarge => problem("The body is larger than 256 KiB.")
);
problem_response!(
    /// 415.
    UnsupportedMediaType => problem("The body is not sent as `application/json`.")
);
problem_response!(
    /// 422.
    ValidationFailed => problem(
        "A value was refused: `field` names it (a body field as a JSON path, a query \
         parameter, or `Idempotency-Key`) and `detail` says what to change.",
    )
);
problem_response!(
    /// 429, with when to try again.
    TooManyRequests => problem("This API key sent more requests than its rate limit allows.")
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
                .description(Some(
                    "Whole seconds to wait before this API key may send another request.",
                ))
                .build(),
        )
);
problem_response!(
    /// 500.
    InternalError => problem(
        "Something went wrong on our side. It is safe to retry with the same \
         `Idempotency-Key`.",
    )
);
