//! The search terms of a contact as both backends write them: which terms a change removes
//! and which it adds (an update touches no other term), and the two statements that do it,
//! built once for any sqlx database.

use rolodex_domain::ContactFields;
use rolodex_domain::search::{TermKind, contact_terms};
use sqlx::{Database, Encode, IntoArguments, QueryBuilder, Type};

/// The terms a contact loses and gains when its fields go from `before` to `after`.
pub struct TermChanges {
    pub gone: Vec<(TermKind, String)>,
    pub added: Vec<(TermKind, String)>,
}

impl TermChanges {
    pub fn new(before: &ContactFields, after: &ContactFields) -> Self {
        let old = contact_terms(before);
        let new = contact_terms(after);
        Self {
            gone: old.difference(&new).cloned().collect(),
            added: new.difference(&old).cloned().collect(),
        }
    }

    /// The DELETE of the terms gone from contact `id` of `tenant`, if any.
    pub fn delete<'a, DB>(&self, tenant: i64, id: i64) -> Option<QueryBuilder<'a, DB>>
    where
        DB: Database,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
        i64: Encode<'a, DB> + Type<DB>,
        &'static str: Encode<'a, DB> + Type<DB>,
        String: Encode<'a, DB> + Type<DB>,
    {
        if self.gone.is_empty() {
            return None;
        }
        let mut sql = QueryBuilder::new("DELETE FROM contact_terms WHERE tenant_id = ");
        sql.push_bind(tenant)
            .push(" AND contact_id = ")
            .push_bind(id)
            .push(" AND (kind, term) IN (");
        let mut list = sql.separated(", ");
        for (kind, term) in &self.gone {
            list.push("(")
                .push_bind_unseparated(kind.as_str())
                .push_unseparated(", ")
                .push_bind_unseparated(term.clone())
                .push_unseparated(")");
        }
        sql.push(")");
        Some(sql)
    }

    /// The INSERT of the terms added to contact `id` of `tenant`, if any.
    pub fn insert<'a, DB>(&self, tenant: i64, id: i64) -> Option<QueryBuilder<'a, DB>>
    where
        DB: Database,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
        i64: Encode<'a, DB> + Type<DB>,
        &'static str: Encode<'a, DB> + Type<DB>,
        String: Encode<'a, DB> + Type<DB>,
    {
        if self.added.is_empty() {
            return None;
        }
        let mut sql =
            QueryBuilder::new("INSERT INTO contact_terms (tenant_id, kind, term, contact_id) ");
        sql.push_values(&self.added, |mut row, (kind, term)| {
            row.push_bind(tenant)
                .push_bind(kind.as_str())
                .push_bind(term.clone())
                .push_bind(id);
        });
        Some(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_touches_only_the_terms_that_differ() {
        let before = ContactFields {
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            ..ContactFields::default()
        };
        let after = ContactFields {
            last_name: Some("Walker".into()),
            ..before.clone()
        };
        let changes = TermChanges::new(&before, &after);
        assert!(
            changes.gone.iter().any(|(_, t)| t == "lee"),
            "{:?}",
            changes.gone
        );
        assert!(
            changes.added.iter().any(|(_, t)| t == "walker"),
            "{:?}",
            changes.added
        );
        assert!(
            !changes
                .gone
                .iter()
                .chain(&changes.added)
                .any(|(_, t)| t == "ann")
        );
        let same = TermChanges::new(&after, &after);
        assert!(same.gone.is_empty() && same.added.is_empty());
    }
}
