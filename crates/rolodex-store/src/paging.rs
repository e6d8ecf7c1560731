//! Keyset paging shared by both backends: how many rows a page fetches, how a fetched list
//! becomes a page with its cursor, and the upper bound of a prefix range.

use rolodex_core::query::{Cursor, Page, PageRequest};

/// How many rows a page query fetches: one more than the page, to learn whether a next page
/// exists. A zero limit is read as one.
pub fn fetch_limit(page: &PageRequest) -> i64 {
    i64::from(page.limit.max(1)) + 1
}

/// The page of `rows` (fetched with [`fetch_limit`]): at most `limit` items, and the cursor of
/// the last one when more rows followed.
pub fn page_of<T>(
    mut rows: Vec<T>,
    page: &PageRequest,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Page<T> {
    let limit = usize::try_from(page.limit.max(1)).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    Page { items: rows, next }
}

/// The smallest string above every string that starts with `prefix`: `prefix` with its last
/// character incremented (dropping trailing characters that cannot be). `None` when no string
/// is above them all. With `nocase`, for columns compared `COLLATE NOCASE` (which folds ASCII
/// upper case to lower case), `prefix` must be lower-case and the bound never is an ASCII
/// capital, which NOCASE would compare as its lower-case letter.
pub fn prefix_end(prefix: &str, nocase: bool) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(mut next) = next {
            if nocase && next.is_ascii_uppercase() {
                next = '[';
            }
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_ends_bound_exactly_the_strings_with_the_prefix() {
        assert_eq!(prefix_end("ab", false).as_deref(), Some("ac"));
        assert_eq!(prefix_end("a\u{10FFFF}", false).as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}", false), None);
        assert_eq!(prefix_end("a\u{D7FF}", false).as_deref(), Some("a\u{E000}"));
        // '@' + 1 is 'A', which NOCASE compares as 'a': the bound must skip the capitals.
        assert_eq!(prefix_end("x@", true).as_deref(), Some("x["));
        assert_eq!(prefix_end("x@", false).as_deref(), Some("xA"));
    }
}
