//! The search terms of a contact: which terms a change removes and which it adds (an update
//! touches no other term), and the statements that do it. Terms are written and deleted by
//! their whole key, so that `contact_terms` needs no index but its primary key.

use crate::sql::{Conn, Param, Sql};
use rolodex_core::ports::RepoError;
use rolodex_domain::search::{TermKind, contact_terms, same_term_sources};
use rolodex_domain::{ContactFields, TenantId};

/// One term, by its key.
const INSERT_ONE: &str =
    "INSERT INTO contact_terms (tenant_id, kind, term, contact_id) VALUES (?1, ?2, ?3, ?4)";
const DELETE_ONE: &str = "DELETE FROM contact_terms \
     WHERE tenant_id = ?1 AND kind = ?2 AND term = ?3 AND contact_id = ?4";

/// The terms a contact loses and gains when its fields go from `before` to `after`.
pub struct TermChanges {
    pub gone: Vec<(TermKind, String)>,
    pub added: Vec<(TermKind, String)>,
}

impl TermChanges {
    pub fn new(before: &ContactFields, after: &ContactFields) -> Self {
        if same_term_sources(before, after) {
            return Self {
                gone: Vec::new(),
                added: Vec::new(),
            };
        }
        let old = contact_terms(before);
        let new = contact_terms(after);
        Self {
            gone: old.difference(&new).cloned().collect(),
            added: new.difference(&old).cloned().collect(),
        }
    }

    /// Brings the stored terms of contact `id` of `tenant` from `before`'s to `after`'s.
    pub async fn write<C: Conn>(
        &self,
        c: &mut C,
        tenant: TenantId,
        id: i64,
    ) -> Result<(), RepoError> {
        if C::DIALECT.writes_rows_one_by_one() {
            let key = |(kind, term): &(TermKind, String)| -> [Param; 4] {
                [
                    tenant.0.into(),
                    kind.as_str().into(),
                    term.into(),
                    id.into(),
                ]
            };
            for term in &self.gone {
                c.execute(DELETE_ONE, &key(term)).await?;
            }
            for term in &self.added {
                c.execute(INSERT_ONE, &key(term)).await?;
            }
        } else {
            if let Some(delete) = self.delete(tenant.0, id) {
                c.execute(&delete.text, &delete.params).await?;
            }
            if let Some(insert) = self.insert(tenant.0, id) {
                c.execute(&insert.text, &insert.params).await?;
            }
        }
        Ok(())
    }

    /// The one DELETE of the terms gone from contact `id` of `tenant`, if any.
    fn delete(&self, tenant: i64, id: i64) -> Option<Sql> {
        if self.gone.is_empty() {
            return None;
        }
        let mut sql = Sql::new("DELETE FROM contact_terms WHERE tenant_id = ");
        sql.bind(tenant)
            .push(" AND contact_id = ")
            .bind(id)
            .push(" AND (kind, term) IN (");
        for (i, (kind, term)) in self.gone.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(kind.as_str())
                .push(", ")
                .bind(term.clone())
                .push(")");
        }
        sql.push(")");
        Some(sql)
    }

    /// The one INSERT of the terms added to contact `id` of `tenant`, if any.
    fn insert(&self, tenant: i64, id: i64) -> Option<Sql> {
        if self.added.is_empty() {
            return None;
        }
        let mut sql =
            Sql::new("INSERT INTO contact_terms (tenant_id, kind, term, contact_id) VALUES ");
        for (i, (kind, term)) in self.added.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(tenant)
                .push(", ")
                .bind(kind.as_str())
                .push(", ")
                .bind(term.clone())
                .push(", ")
                .bind(id)
                .push(")");
        }
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
