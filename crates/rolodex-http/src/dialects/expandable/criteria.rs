//! Query criteria of both generations (`POST api/CustomerContact/Query`, siblings 1.3; the
//! newer API's `/api/customer-contact-query`): Expandable's query by example, turned into the
//! core's neutral [`FieldFilter`]s, all of which must hold.
//!
//! Each member is one criterion; a blank one (`""` or `null`, as a template leaves it) is no
//! criterion. Sending exactly the two keys, each an equality, is Expandable's "Find": the one
//! contact with those codes (an array of 0 or 1). A value may carry a condition (siblings 1.3:
//! `"STATE": "IN 'CA','NV'"`). The grammar, keywords ignoring case:
//!
//! ```text
//! criterion = "=" value | "<>" value | "!=" value | ">" value | ">=" value | "<" value
//!           | "<=" value | "LIKE" value | "IN" list | "NOT IN" list | plain
//! list      = ["("] value {"," value} [")"]
//! value     = "'" {character, with '' for a quote} "'" | bare
//! ```
//!
//! A bare value runs to the end (in a list, to the next comma) and is trimmed; a plain value
//! (no operator) is compared as it is. A keyword is an operator only when followed by a blank
//! and an operand, so `"STATE": "IN"` is Indiana; a value that would read as a condition is
//! written `= '...'`. `LIKE` takes `%` (any run) and `_` (any one character). Text compares
//! ignoring case, and a field without a value compares as `''`.
//!
//! `DATE_CREATED`, `DATE_MODIFIED` and `DATE_LAST_UPDT` take `YYYY-MM-DD` dates (UTC, as they
//! read) and compare whole days: `=` (or `IN` one date) is the day, `>` after it, `<=` up to
//! its end. `TIME_LAST_UPDT` takes `HH:MM:SS` and only with `DATE_LAST_UPDT` equal to one date,
//! which makes it an instant. Dates and times support `=`, `>`, `>=`, `<`, `<=` and `IN` with
//! one value: the core's criteria are all ANDed, so "not on that day" is not expressible.

use super::body::Values;
use super::fault::Fault;
use super::fields::Field;
use rolodex_core::{Condition, FieldFilter, FilterField};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");
const TIME: &[BorrowedFormatItem<'_>] = format_description!("[hour]:[minute]:[second]");

/// What a Query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// The contact `contact` of customer `customer` (both codes).
    Find { customer: String, contact: String },
    /// Every contact matching all the filters.
    Filter(Vec<FieldFilter>),
}

/// A condition made of one value.
type Comparison = fn(String) -> Condition;

/// The condition a criterion's value states.
pub fn parse(raw: &str) -> Result<Condition, String> {
    let s = raw.trim_start();
    let symbols: [(&str, Comparison); 7] = [
        ("<>", Condition::NotEquals),
        ("!=", Condition::NotEquals),
        (">=", Condition::GreaterOrEqual),
        ("<=", Condition::LessOrEqual),
        (">", Condition::Greater),
        ("<", Condition::Less),
        ("=", Condition::Equals),
    ];
    for (symbol, condition) in symbols {
        if let Some(rest) = s.strip_prefix(symbol) {
            return single(rest).map(condition);
        }
    }
    if let Some(rest) = keyword(s, &["NOT", "IN"]) {
        return list(rest).map(Condition::NotIn);
    }
    if let Some(rest) = keyword(s, &["IN"]) {
        return list(rest).map(Condition::In);
    }
    if let Some(rest) = keyword(s, &["LIKE"]) {
        return single(rest).map(Condition::Like);
    }
    Ok(Condition::Equals(raw.to_owned()))
}

/// What follows the keyword `words` (separated by blanks) at the start of `s`, when a blank
/// and an operand follow it (`IN` lists may also start with `(` or `'`).
fn keyword<'a>(s: &'a str, words: &[&str]) -> Option<&'a str> {
    let mut rest = s;
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            rest = trimmed;
        }
        let head = rest.get(..word.len())?;
        if !head.eq_ignore_ascii_case(word) {
            return None;
        }
        rest = &rest[word.len()..];
    }
    let bounded = rest.starts_with(|c: char| c.is_whitespace() || c == '(' || c == '\'');
    (bounded && !rest.trim().is_empty()).then_some(rest)
}

/// A quoted value at the start of `s` (which starts with `'`), and what follows it.
fn quoted(s: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
        } else if chars.peek().is_some_and(|&(_, n)| n == '\'') {
            value.push('\'');
            chars.next();
        } else {
            return Ok((value, &s[i + 1..]));
        }
    }
    Err("a quote is not closed".into())
}

fn single(rest: &str) -> Result<String, String> {
    let t = rest.trim();
    if !t.starts_with('\'') {
        return Ok(t.to_owned());
    }
    let (value, after) = quoted(t)?;
    if after.trim().is_empty() {
        Ok(value)
    } else {
        Err(format!(
            "unexpected text after the closing quote: '{}'",
            after.trim()
        ))
    }
}

fn list(rest: &str) -> Result<Vec<String>, String> {
    let t = rest.trim();
    let mut s = match t.strip_prefix('(') {
        Some(inner) => inner
            .strip_suffix(')')
            .ok_or("a parenthesis is not closed")?,
        None => t,
    };
    let mut values = Vec::new();
    loop {
        s = s.trim_start();
        let (value, after) = if s.starts_with('\'') {
            quoted(s)?
        } else {
            let end = s.find(',').unwrap_or(s.len());
            let bare = s[..end].trim();
            if bare.is_empty() {
                return Err("a value of the list is empty".into());
            }
            (bare.to_owned(), &s[end..])
        };
        values.push(value);
        let after = after.trim_start();
        match after.strip_prefix(',') {
            Some(next) => s = next,
            None if after.is_empty() => return Ok(values),
            None => return Err(format!("expected ',' before '{after}'")),
        }
    }
}

/// The core's field for a criterion on `field` (dates and times are handled apart).
fn filter_field(field: Field) -> Option<FilterField> {
    if let Some(kind) = field.phone_type() {
        return Some(FilterField::Phone(kind));
    }
    if let Some(i) = field.email_index() {
        return Some(FilterField::EmailAt(i));
    }
    if let Some(name) = field.custom_field() {
        return Some(FilterField::CustomField(name.to_owned()));
    }
    Some(match field {
        Field::CustomerId => FilterField::CustomerCode,
        Field::CustContact => FilterField::Code,
        Field::SlxId => FilterField::ExternalId,
        Field::ContactStatus => FilterField::Status,
        Field::FirstName => FilterField::FirstName,
        Field::LastName => FilterField::LastName,
        Field::Initial => FilterField::Initial,
        Field::Title => FilterField::Title,
        Field::MailStop => FilterField::MailStop,
        Field::Address1 => FilterField::Address1,
        Field::Address2 => FilterField::Address2,
        Field::Address3 => FilterField::Address3,
        Field::City => FilterField::City,
        Field::State => FilterField::State,
        Field::ZipCode => FilterField::PostalCode,
        Field::Country => FilterField::Country,
        Field::WebAddress => FilterField::WebAddress,
        Field::CreatedBy => FilterField::CreatedBy,
        Field::ModifiedBy | Field::OperatorId => FilterField::UpdatedBy,
        Field::DateCreated => FilterField::CreatedAt,
        Field::DateModified | Field::DateLastUpdt | Field::TimeLastUpdt => FilterField::UpdatedAt,
        _ => return None,
    })
}

/// The one value an equality (or an `IN` of one) compares with.
fn equal_to(condition: &Condition) -> Option<&str> {
    match condition {
        Condition::Equals(v) => Some(v),
        Condition::In(vs) if vs.len() == 1 => Some(&vs[0]),
        _ => None,
    }
}

/// The instant filters a comparison of `field` (on the core's `target`) means; `unit` gives
/// the start and end of the unit of time (a day, a second) a value names.
fn instant_filters(
    field: Field,
    target: FilterField,
    condition: &Condition,
    unit: impl Fn(&str) -> Result<(OffsetDateTime, OffsetDateTime), String>,
) -> Result<Vec<FieldFilter>, Fault> {
    let unit = |v: &str| {
        unit(v).map_err(|reason| {
            Fault::failed("INVALID_CRITERION", format!("{}: {reason}.", field.name()))
        })
    };
    let (from, to) = if let Some(v) = equal_to(condition) {
        let (start, end) = unit(v)?;
        (Some(start), Some(end))
    } else {
        match condition {
            Condition::Greater(v) => (Some(unit(v)?.1), None),
            Condition::GreaterOrEqual(v) => (Some(unit(v)?.0), None),
            Condition::Less(v) => (None, Some(unit(v)?.0)),
            Condition::LessOrEqual(v) => (None, Some(unit(v)?.1)),
            _ => {
                return Err(Fault::failed(
                    "UNSUPPORTED_CRITERION",
                    format!(
                        "{}: supports =, >, >=, <, <= and IN with one value.",
                        field.name()
                    ),
                ));
            }
        }
    };
    let rfc3339 = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let mut filters = Vec::new();
    if let Some(from) = from {
        filters.push(FieldFilter {
            field: target.clone(),
            condition: Condition::GreaterOrEqual(rfc3339(from)),
        });
    }
    if let Some(to) = to {
        filters.push(FieldFilter {
            field: target,
            condition: Condition::Less(rfc3339(to)),
        });
    }
    Ok(filters)
}

fn day(value: &str) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let date = Date::parse(value.trim(), DATE)
        .map_err(|_| format!("'{value}' is not a date (YYYY-MM-DD)"))?;
    let next = date.next_day().ok_or("the date is out of range")?;
    Ok((date.midnight().assume_utc(), next.midnight().assume_utc()))
}

fn second_of(date: Date) -> impl Fn(&str) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    move |value| {
        let time = Time::parse(value.trim(), TIME)
            .map_err(|_| format!("'{value}' is not a time (HH:MM:SS)"))?;
        let start = PrimitiveDateTime::new(date, time).assume_utc();
        Ok((start, start + Duration::SECOND))
    }
}

/// What the criteria of a Query ask for.
pub fn search(values: Values) -> Result<Search, Fault> {
    let invalid = |f: Field, reason: String| {
        Fault::failed("INVALID_CRITERION", format!("{}: {reason}.", f.name()))
    };
    let mut criteria = Vec::new();
    for (field, value) in values {
        if !value.is_empty() {
            criteria.push((field, parse(&value).map_err(|r| invalid(field, r))?));
        }
    }
    if criteria.is_empty() {
        return Err(Fault::failed(
            "NO_CRITERIA",
            "At least one criterion is required.",
        ));
    }
    let key = |wanted: Field| {
        criteria
            .iter()
            .find(|(f, _)| *f == wanted)
            .and_then(|(_, c)| match c {
                Condition::Equals(v) => Some(v.clone()),
                _ => None,
            })
    };
    if let (2, Some(customer), Some(contact)) = (
        criteria.len(),
        key(Field::CustomerId),
        key(Field::CustContact),
    ) {
        return Ok(Search::Find { customer, contact });
    }
    let last_update_day = criteria
        .iter()
        .find(|(f, _)| *f == Field::DateLastUpdt)
        .and_then(|(_, c)| equal_to(c))
        .and_then(|v| Date::parse(v.trim(), DATE).ok());
    let mut filters = Vec::new();
    for (field, condition) in criteria {
        let Some(target) = filter_field(field) else {
            return Err(invalid(field, "is not a criterion".into()));
        };
        match field {
            Field::DateCreated | Field::DateModified | Field::DateLastUpdt => {
                filters.extend(instant_filters(field, target, &condition, day)?);
            }
            Field::TimeLastUpdt => {
                let Some(date) = last_update_day else {
                    return Err(Fault::failed(
                        "UNSUPPORTED_CRITERION",
                        "TIME_LAST_UPDT: is a criterion only with DATE_LAST_UPDT equal to one date.",
                    ));
                };
                filters.extend(instant_filters(field, target, &condition, second_of(date))?);
            }
            _ => filters.push(FieldFilter {
                field: target,
                condition,
            }),
        }
    }
    Ok(Search::Filter(filters))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::expandable::body::Members;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn plain_values_are_equalities_as_they_are() {
        for v in [
            "CA",
            " San Jose ",
            "O'Brien",
            "IN",
            "in",
            "Indianapolis",
            "LIKE",
            "IN  ",
        ] {
            assert_eq!(parse(v), Ok(Condition::Equals(v.into())), "{v:?}");
        }
    }

    #[test]
    fn operators_take_quoted_or_bare_values() {
        let cases = [
            ("= 'CA'", Condition::Equals("CA".into())),
            ("=CA", Condition::Equals("CA".into())),
            ("= ''", Condition::Equals(String::new())),
            ("<> 'O''Brien'", Condition::NotEquals("O'Brien".into())),
            ("!= x", Condition::NotEquals("x".into())),
            (
                ">= 2024-01-01",
                Condition::GreaterOrEqual("2024-01-01".into()),
            ),
            ("<= 'b'", Condition::LessOrEqual("b".into())),
            ("> a", Condition::Greater("a".into())),
            ("< a", Condition::Less("a".into())),
            ("like 'A%'", Condition::Like("A%".into())),
            ("LIKE J_e", Condition::Like("J_e".into())),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse(raw), Ok(expected), "{raw:?}");
        }
    }

    #[test]
    fn lists_are_quoted_or_bare_with_or_without_parentheses() {
        let cases = [
            ("IN 'CA','NV'", Condition::In(strings(&["CA", "NV"]))),
            ("in ('CA', 'NV')", Condition::In(strings(&["CA", "NV"]))),
            ("IN('CA')", Condition::In(strings(&["CA"]))),
            ("IN CA, NV ,AZ", Condition::In(strings(&["CA", "NV", "AZ"]))),
            ("IN 'a,b', 'c''d'", Condition::In(strings(&["a,b", "c'd"]))),
            ("NOT IN 'CA','NV'", Condition::NotIn(strings(&["CA", "NV"]))),
            ("not  in (CA)", Condition::NotIn(strings(&["CA"]))),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse(raw), Ok(expected), "{raw:?}");
        }
    }

    #[test]
    fn malformed_conditions_say_what_is_wrong() {
        for raw in [
            "= 'CA",
            "IN 'CA','NV",
            "IN ('CA'",
            "IN 'CA' 'NV'",
            "IN CA,,NV",
            "= 'a' b",
        ] {
            assert!(parse(raw).is_err(), "{raw:?}");
        }
    }

    fn values(json: &str) -> Values {
        Members::parse(json.as_bytes())
            .unwrap()
            .into_values(&Field::ALL)
            .unwrap()
    }

    fn filters(json: &str) -> Vec<FieldFilter> {
        match search(values(json)) {
            Ok(Search::Filter(f)) => f,
            other => panic!("expected filters, got {other:?}"),
        }
    }

    #[test]
    fn both_keys_alone_are_a_find_and_blank_members_are_no_criteria() {
        assert_eq!(
            search(values(
                r#"{"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "JHERNANDEZ", "CITY": ""}"#
            )),
            Ok(Search::Find {
                customer: "ABCCORP".into(),
                contact: "JHERNANDEZ".into()
            })
        );
        let f = filters(r#"{"CUSTOMER_ID": "ABCCORP", "CUST_CONTACT": "LIKE 'J%'"}"#);
        assert_eq!(f[0].field, FilterField::CustomerCode);
        assert_eq!(f[1].condition, Condition::Like("J%".into()));
        assert_eq!(
            search(values(r#"{"CITY": "", "STATE": null}"#))
                .unwrap_err()
                .code(),
            "NO_CRITERIA"
        );
    }

    #[test]
    fn fields_map_onto_the_cores_filter_fields() {
        let f = filters(
            r#"{"STATE": "IN 'CA','NV'", "FAX_NO": "1", "E_MAIL_2": "x", "SOFCT_USER_9": "y",
                "OPERATOR_ID": "clerk", "ZIP_CODE": "95131", "SLX_ID": "S1"}"#,
        );
        let fields: Vec<FilterField> = f.into_iter().map(|f| f.field).collect();
        for expected in [
            FilterField::State,
            FilterField::Phone(rolodex_domain::PhoneType::Fax),
            FilterField::EmailAt(1),
            FilterField::CustomField("SOFCT_USER_9".into()),
            FilterField::UpdatedBy,
            FilterField::PostalCode,
            FilterField::ExternalId,
        ] {
            assert!(fields.contains(&expected), "{expected:?}");
        }
    }

    fn range(field: FilterField, from: Option<&str>, to: Option<&str>) -> Vec<FieldFilter> {
        let mut out = Vec::new();
        if let Some(from) = from {
            out.push(FieldFilter {
                field: field.clone(),
                condition: Condition::GreaterOrEqual(from.into()),
            });
        }
        if let Some(to) = to {
            out.push(FieldFilter {
                field,
                condition: Condition::Less(to.into()),
            });
        }
        out
    }

    #[test]
    fn dates_compare_whole_utc_days() {
        let day = |c: &str| filters(&format!(r#"{{"DATE_CREATED": "{c}"}}"#));
        let at = FilterField::CreatedAt;
        let (d, d1) = ("2024-03-05T00:00:00Z", "2024-03-06T00:00:00Z");
        assert_eq!(day("2024-03-05"), range(at.clone(), Some(d), Some(d1)));
        assert_eq!(day("IN '2024-03-05'"), range(at.clone(), Some(d), Some(d1)));
        assert_eq!(day("> 2024-03-05"), range(at.clone(), Some(d1), None));
        assert_eq!(day(">= 2024-03-05"), range(at.clone(), Some(d), None));
        assert_eq!(day("< 2024-03-05"), range(at.clone(), None, Some(d)));
        assert_eq!(day("<= '2024-03-05'"), range(at, None, Some(d1)));
        let modified = filters(r#"{"DATE_MODIFIED": "2024-03-05"}"#);
        assert_eq!(modified[0].field, FilterField::UpdatedAt);
    }

    #[test]
    fn a_time_of_last_update_needs_its_date() {
        let f = filters(r#"{"DATE_LAST_UPDT": "2024-03-05", "TIME_LAST_UPDT": ">= 08:09:10"}"#);
        assert!(f.contains(&FieldFilter {
            field: FilterField::UpdatedAt,
            condition: Condition::GreaterOrEqual("2024-03-05T08:09:10Z".into()),
        }));
        assert_eq!(f.len(), 3);
        let exact = filters(r#"{"DATE_LAST_UPDT": "2024-03-05", "TIME_LAST_UPDT": "08:09:10"}"#);
        assert!(exact.contains(&FieldFilter {
            field: FilterField::UpdatedAt,
            condition: Condition::Less("2024-03-05T08:09:11Z".into()),
        }));
        let alone = search(values(r#"{"TIME_LAST_UPDT": "08:09:10"}"#)).unwrap_err();
        assert_eq!(alone.code(), "UNSUPPORTED_CRITERION");
    }

    #[test]
    fn dates_refuse_what_the_core_cannot_express_and_values_that_are_not_dates() {
        for c in [
            "<> 2024-03-05",
            "IN '2024-03-05','2024-03-06'",
            "LIKE '2024%'",
        ] {
            let e = search(values(&format!(r#"{{"DATE_CREATED": "{c}"}}"#))).unwrap_err();
            assert_eq!(e.code(), "UNSUPPORTED_CRITERION", "{c}");
        }
        let e = search(values(r#"{"DATE_CREATED": "03/05/2024"}"#)).unwrap_err();
        assert_eq!(
            e,
            Fault::failed(
                "INVALID_CRITERION",
                "DATE_CREATED: '03/05/2024' is not a date (YYYY-MM-DD)."
            )
        );
        let e = search(values(r#"{"STATE": "IN 'CA"}"#)).unwrap_err();
        assert_eq!(
            e,
            Fault::failed("INVALID_CRITERION", "STATE: a quote is not closed.")
        );
    }
}
