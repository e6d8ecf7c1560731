//! Field criteria of a contact query (`ContactQuery::filters`) compiled into SQL conditions.
//!
//! Text compares ignoring ASCII case (`COLLATE NOCASE`; `LIKE` already does); a field without a
//! value compares as `''`. Instants compare as milliseconds. Core has checked the criteria
//! (instants parse as RFC 3339, custom field names are well formed, no `LIKE` on instants), so
//! a value that still does not fit makes the condition false rather than an error.

use super::rows;
use rolodex_core::query::{Condition, FieldFilter, FilterField};
use sqlx::{QueryBuilder, Sqlite};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The SQL expression of a field, and whether it is an instant (in milliseconds).
fn expression(field: &FilterField) -> (String, bool) {
    let text = |column: &str| (format!("coalesce({column}, '')"), false);
    match field {
        FilterField::Code => text("code"),
        FilterField::ExternalId => text("external_id"),
        FilterField::Status => text("status"),
        FilterField::Salutation => text("salutation"),
        FilterField::FirstName => text("first_name"),
        FilterField::Initial => text("initial"),
        FilterField::LastName => text("last_name"),
        FilterField::FullName => text("full_name"),
        FilterField::Title => text("title"),
        FilterField::MailStop => text("mail_stop"),
        FilterField::Address1 => text("address_1"),
        FilterField::Address2 => text("address_2"),
        FilterField::Address3 => text("address_3"),
        FilterField::City => text("city"),
        FilterField::State => text("state"),
        FilterField::PostalCode => text("postal_code"),
        FilterField::Country => text("country"),
        FilterField::WebAddress => text("web_address"),
        FilterField::EmailAt(i) => text(&format!("json_extract(emails, '$[{i}]')")),
        FilterField::Phone(kind) => text(&format!(
            "(SELECT json_extract(p.value, '$.number') FROM json_each(contacts.phones) p \
             WHERE json_extract(p.value, '$.type') = '{}' ORDER BY p.key LIMIT 1)",
            kind.as_str()
        )),
        // The name is bound by `push_field`, never spliced into the SQL.
        FilterField::CustomField(_) => text("json_extract(custom_fields, ?)"),
        FilterField::CustomerCode => text(
            "(SELECT cu.code FROM customers cu WHERE cu.tenant_id = contacts.tenant_id \
             AND cu.id = contacts.customer_id)",
        ),
        FilterField::CreatedBy => {
            text("(SELECT u.username FROM users u WHERE u.id = contacts.created_by)")
        }
        FilterField::UpdatedBy => {
            text("(SELECT u.username FROM users u WHERE u.id = contacts.updated_by)")
        }
        FilterField::CreatedAt => ("created_at".to_owned(), true),
        FilterField::UpdatedAt => ("updated_at".to_owned(), true),
    }
}

/// Pushes the field's expression, binding what it needs.
fn push_field(sql: &mut QueryBuilder<'_, Sqlite>, field: &FilterField, expr: &str) {
    match field {
        FilterField::CustomField(name) => {
            let (before, after) = expr.split_once('?').unwrap_or((expr, ""));
            sql.push(before)
                .push_bind(format!("$.\"{name}\""))
                .push(after);
        }
        _ => {
            sql.push(expr);
        }
    }
}

fn millis(value: &str) -> Option<i64> {
    OffsetDateTime::parse(value, &Rfc3339)
        .ok()
        .map(rows::millis)
}

/// Binds one comparison value, as text or (checked before) as milliseconds.
fn push_value(sql: &mut QueryBuilder<'_, Sqlite>, value: &str, instant: bool) {
    match (instant, millis(value)) {
        (true, Some(ms)) => sql.push_bind(ms),
        _ => sql.push_bind(value.to_owned()),
    };
}

/// Adds ` AND <condition>` for each filter.
pub fn push_filters(sql: &mut QueryBuilder<'_, Sqlite>, filters: &[FieldFilter]) {
    for filter in filters {
        let (expr, instant) = expression(&filter.field);
        let collate = if instant { "" } else { " COLLATE NOCASE" };
        sql.push(" AND (");
        let (op, values): (&str, Vec<&String>) = match &filter.condition {
            Condition::Equals(v) => ("=", vec![v]),
            Condition::NotEquals(v) => ("<>", vec![v]),
            Condition::Less(v) => ("<", vec![v]),
            Condition::LessOrEqual(v) => ("<=", vec![v]),
            Condition::Greater(v) => (">", vec![v]),
            Condition::GreaterOrEqual(v) => (">=", vec![v]),
            Condition::Like(v) => ("LIKE", vec![v]),
            Condition::In(vs) => ("IN", vs.iter().collect()),
            Condition::NotIn(vs) => ("NOT IN", vs.iter().collect()),
        };
        let list = matches!(filter.condition, Condition::In(_) | Condition::NotIn(_));
        if list && values.is_empty() {
            // Nothing is in an empty list; everything is outside it.
            sql.push(if op == "IN" { "0" } else { "1" });
        } else if instant && (op == "LIKE" || values.iter().any(|v| millis(v).is_none())) {
            sql.push("0");
        } else {
            push_field(sql, &filter.field, &expr);
            if list {
                sql.push(format!("{collate} {op} ("));
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    push_value(sql, v, instant);
                }
                sql.push(")");
            } else {
                sql.push(format!(" {op} "));
                push_value(sql, values[0], instant);
                sql.push(collate);
            }
        }
        sql.push(")");
    }
}
