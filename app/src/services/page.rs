//! Keyset pagination: lists are ordered by (created_at, id) and a cursor names the last row
//! seen, so pages stay stable while rows are added and cost the same however deep they go.

/// Where the next page starts: just after the row with this creation time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The cursor is not one this API returned; start again without it.")]
pub struct CursorError;

impl Cursor {
    /// Opaque to clients: hex of `created_at|id`.
    pub fn encode(&self) -> String {
        hex::encode(format!("{}|{}", self.created_at, self.id))
    }

    /// Only what [`Cursor::encode`] writes: lower-case hex of a creation time as the database
    /// keeps it (`2026-11-27T09:05:01.000000Z`), `|`, and a hyphenated lower-case UUID. A
    /// forged cursor is refused rather than starting a page at some odd place (or carrying a
    /// NUL byte, which PostgreSQL text refuses, into a query).
    pub fn decode(text: &str) -> Result<Self, CursorError> {
        if !text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(CursorError);
        }
        let bytes = hex::decode(text).map_err(|_| CursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| CursorError)?;
        let (created_at, id) = text.split_once('|').ok_or(CursorError)?;
        let canonical_id =
            uuid::Uuid::parse_str(id).is_ok_and(|uuid| uuid.hyphenated().to_string() == id);
        if !is_creation_time(created_at) || !canonical_id {
            return Err(CursorError);
        }
        Ok(Self {
            created_at: created_at.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, digit for digit (the shape, not the calendar: the database
/// compares these as text).
fn is_creation_time(text: &str) -> bool {
    const SHAPE: &[u8; 27] = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
    text.len() == SHAPE.len()
        && text
            .bytes()
            .zip(SHAPE)
            .all(|(byte, &expected)| match expected {
                b'd' => byte.is_ascii_digit(),
                other => byte == other,
            })
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 25;
    pub const MAX_LIMIT: u32 = 100;

    pub fn first(limit: u32) -> Self {
        Self { limit, after: None }
    }

    /// The two bind values for `created_at` and `id` after which the page starts (NULL for the
    /// first page).
    pub fn after_binds(&self) -> (Option<String>, Option<String>) {
        match &self.after {
            Some(cursor) => (Some(cursor.created_at.clone()), Some(cursor.id.clone())),
            None => (None, None),
        }
    }

    /// The SQL condition that starts the page after the cursor, with `$created` and `$id` the
    /// placeholders bound to [`PageRequest::after_binds`]. A row-value comparison when there is
    /// a cursor, so that the database seeks in its (created_at, id) index instead of scanning
    /// every earlier row; a condition on the (NULL) binds otherwise, to keep the numbering.
    pub fn after_condition(&self, created: &str, id: &str) -> String {
        match self.after {
            Some(_) => format!("(created_at, id) > ({created}, {id})"),
            None => format!("({created} IS NULL AND {id} IS NULL)"),
        }
    }

    /// As [`PageRequest::after_condition`], for a list read newest first (`ORDER BY
    /// created_at DESC, id DESC`): the page starts before the cursor.
    pub fn before_condition(&self, created: &str, id: &str) -> String {
        match self.after {
            Some(_) => format!("(created_at, id) < ({created}, {id})"),
            None => format!("({created} IS NULL AND {id} IS NULL)"),
        }
    }

    /// How many rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, Self::MAX_LIMIT)) + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Cuts the fetched rows (up to `fetch_limit`) to the page and sets the cursor when more
    /// follow. `key` gives a row's (created_at, id).
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = request.limit.clamp(1, PageRequest::MAX_LIMIT) as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let cursor = Cursor {
            created_at: "2026-11-27T09:05:01.000000Z".into(),
            id: "0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor.clone()));
        assert_eq!(Cursor::decode("zz"), Err(CursorError));
        assert_eq!(Cursor::decode(&hex::encode("x|y")), Err(CursorError));
        let upper_case = cursor.encode().to_uppercase();
        assert_eq!(Cursor::decode(&upper_case), Err(CursorError));
        let with_nul = Cursor {
            created_at: "2026-11-27T09:05:01.00000\0Z".into(),
            ..cursor.clone()
        };
        assert_eq!(Cursor::decode(&with_nul.encode()), Err(CursorError));
        let braced_id = Cursor {
            id: format!("{{{}}}", cursor.id),
            ..cursor
        };
        assert_eq!(Cursor::decode(&braced_id.encode()), Err(CursorError));
    }

    #[test]
    fn a_page_says_whether_more_rows_follow() {
        let request = PageRequest::first(2);
        let key = |n: &u32| Cursor {
            created_at: n.to_string(),
            id: n.to_string(),
        };
        let page = Page::from_rows(vec![1, 2, 3], &request, key);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next.unwrap().id, "2");
        assert_eq!(Page::from_rows(vec![1, 2], &request, key).next, None);
    }

    // Forged cursors come hex-encoded, so most of them must get past `hex::decode` to reach
    // the checks behind it: text that is not UTF-8, no `|`, a wrong length, a bad id.
    fn a_forged_cursor() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9a-fA-F]{0,120}",
            any::<String>().prop_map(hex::encode),
            proptest::collection::vec(any::<u8>(), 0..80).prop_map(hex::encode),
            ".{25,29}\\|[0-9a-fA-F{}-]{30,40}".prop_map(hex::encode),
            "[0-9TZ:.-]{27}\\|.{0,40}".prop_map(hex::encode),
        ]
    }

    // A cursor as `encode` writes it: a row's RFC 3339 creation time (microseconds, UTC) and
    // its UUID.
    fn a_cursor() -> impl Strategy<Value = Cursor> {
        (
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\.[0-9]{6}Z",
            any::<[u8; 16]>(),
        )
            .prop_map(|(created_at, id)| Cursor {
                created_at,
                id: uuid::Uuid::from_bytes(id).to_string(),
            })
    }

    proptest! {
        #[test]
        fn a_cursor_never_panics_and_refusals_are_specific(text in a_forged_cursor()) {
            if let Err(error) = Cursor::decode(&text) {
                let message = error.to_string();
                prop_assert!(
                    message.contains(' ') && message.ends_with('.'),
                    "{:?} was refused with {:?}", text, message
                );
            }
        }

        #[test]
        fn a_cursor_reads_back_from_its_encoding(cursor in a_cursor()) {
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }
    }
}
