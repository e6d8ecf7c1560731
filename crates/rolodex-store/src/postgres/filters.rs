//! Field criteria of a contact query (`ContactQuery::filters`) compiled into PostgreSQL
//! conditions that behave as the SQLite ones do.
//!
//! Text compares ignoring ASCII case (both sides through `rolodex_nocase`, in byte order
//! (`COLLATE "C"`), as SQLite's `COLLATE NOCASE`), and `LIKE` has no escape character (as on SQLite); a field
//! without a value compares as `''`. Instants compare as times. Core has checked the criteria,
//! so a value that still does not fit makes the condition false rather than an error.

use super::rows;
use rolodex_core::query::{Condition, FieldFilter, FilterField};
use sqlx::{Postgres, QueryBuilder};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The SQL expression of a field, and whether it is an instant.
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
        FilterField::EmailAt(i) => text(&format!("(emails ->> {i})")),
        FilterField::Phone(kind) => text(&format!(
            "(SELECT p.value ->> 'number' FROM jsonb_array_elements(contacts.phones) \
             WITH ORDINALITY AS p (value, n) WHERE p.value ->> 'type' = '{}' ORDER BY p.n LIMIT 1)",
            kind.as_str()
        )),
        // The name is bound by `push_field`, never spliced into the SQL.
        FilterField::CustomField(_) => text("(custom_fields ->> ?)"),
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
fn push_field(sql: &mut QueryBuilder<'_, Postgres>, field: &FilterField, expr: &str) {
    match field {
        FilterField::CustomField(name) => {
            let (before, after) = expr.split_once('?').unwrap_or((expr, ""));
            sql.push(before).push_bind(name.clone()).push(after);
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
fn push_value(sql: &mut QueryBuilder<'_, Postgres>, value: &str, is_instant: bool) {
    match (is_instant, instant(value)) {
        (true, Some(t)) => {
            sql.push_bind(t);
        }
        _ => {
            sql.push("rolodex_nocase(")
                .push_bind(value.to_owned())
                .push(")");
        }
    }
}

/// Adds ` AND <condition>` for each filter.
pub fn push_filters(sql: &mut QueryBuilder<'_, Postgres>, filters: &[FieldFilter]) {
    for filter in filters {
        let (expr, is_instant) = expression(&filter.field);
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
            if is_instant {
                push_field(sql, &filter.field, &expr);
            } else {
                // Byte order whatever the database's default collation, as on SQLite.
                sql.push("rolodex_nocase(");
                push_field(sql, &filter.field, &expr);
                sql.push(") COLLATE \"C\"");
            }
            if list {
                sql.push(format!(" {op} ("));
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    push_value(sql, v, is_instant);
                }
                sql.push(")");
            } else {
                sql.push(format!(" {op} "));
                push_value(sql, values[0], is_instant);
                if op == "LIKE" {
                    sql.push(" ESCAPE ''");
                }
            }
        }
        sql.push(")");
    }
}
