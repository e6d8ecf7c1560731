//! Field criteria of a contact query (`ContactQuery::filters`) compiled into SQL conditions
//! that behave alike on both backends.
//!
//! Text compares ignoring ASCII case, in byte order (SQLite's `COLLATE NOCASE`; on PostgreSQL
//! both sides through `rolodex_nocase` and `COLLATE "C"`), and `LIKE` has no escape character;
//! a field without a value compares as `''`. Instants compare as times. Core has checked the
//! criteria (instants parse as RFC 3339, custom field names are well formed, no `LIKE` on
//! instants), so a value that still does not fit makes the condition false rather than an
//! error.

use crate::rows;
use crate::sql::{Dialect, Sql};
use rolodex_core::query::{Condition, FieldFilter, FilterField};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The SQL expression of a field, and whether it is an instant. A custom field's name is a
/// bound value, never spliced into the SQL: its expression holds `{name}` where the
/// placeholder goes.
fn expression(d: Dialect, field: &FilterField) -> (String, bool) {
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
        FilterField::EmailAt(i) => text(&d.json_element("emails", *i)),
        // The first phone of the kind, in list order.
        FilterField::Phone(kind) => text(&match d {
            Dialect::Sqlite => format!(
                "(SELECT json_extract(p.value, '$.number') FROM json_each(contacts.phones) p \
                 WHERE json_extract(p.value, '$.type') = '{}' ORDER BY p.key LIMIT 1)",
                kind.as_str()
            ),
            Dialect::Postgres => format!(
                "(SELECT p.value ->> 'number' FROM jsonb_array_elements(contacts.phones) \
                 WITH ORDINALITY AS p (value, n) WHERE p.value ->> 'type' = '{}' ORDER BY p.n LIMIT 1)",
                kind.as_str()
            ),
        }),
        FilterField::CustomField(_) => text(&d.json_member("custom_fields", "{name}")),
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
fn push_field(sql: &mut Sql, field: &FilterField, expr: &str) {
    match (field, expr.split_once("{name}")) {
        (FilterField::CustomField(name), Some((before, after))) => {
            sql.push(before).bind(name.clone()).push(after);
        }
        _ => {
            sql.push(expr);
        }
    }
}

fn instant(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok().map(rows::at)
}

/// Binds one comparison value: a time (checked before), or text folded like the field.
fn push_value(d: Dialect, sql: &mut Sql, value: &str, is_instant: bool) {
    match (is_instant, instant(value), d) {
        (true, Some(t), _) => {
            sql.bind(t);
        }
        (_, _, Dialect::Sqlite) => {
            sql.bind(value);
        }
        (_, _, Dialect::Postgres) => {
            sql.push("rolodex_nocase(").bind(value).push(")");
        }
    }
}

/// Adds ` AND <condition>` for each filter.
pub fn push_filters(d: Dialect, sql: &mut Sql, filters: &[FieldFilter]) {
    for filter in filters {
        let (expr, is_instant) = expression(d, &filter.field);
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
            sql.push(if op == "IN" { "FALSE" } else { "TRUE" });
        } else if is_instant && (op == "LIKE" || values.iter().any(|v| instant(v).is_none())) {
            sql.push("FALSE");
        } else {
            // The field, compared ignoring case in byte order.
            let collate = match (is_instant, d) {
                (true, _) => "",
                (false, Dialect::Sqlite) => " COLLATE NOCASE",
                (false, Dialect::Postgres) => " COLLATE \"C\"",
            };
            let folded = !is_instant && d == Dialect::Postgres;
            if folded {
                sql.push("rolodex_nocase(");
            }
            push_field(sql, &filter.field, &expr);
            if folded {
                sql.push(")");
            }
            sql.push(collate);
            if list {
                sql.push(&format!(" {op} ("));
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    push_value(d, sql, v, is_instant);
                }
                sql.push(")");
            } else {
                sql.push(&format!(" {op} "));
                push_value(d, sql, values[0], is_instant);
                if op == "LIKE" && d == Dialect::Postgres {
                    sql.push(" ESCAPE ''");
                }
            }
        }
        sql.push(")");
    }
}
