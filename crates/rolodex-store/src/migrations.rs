//! The migrations of each backend, embedded in the binary. `migrations/sqlite` and
//! `migrations/postgres` hold the same `NNNN_name.sql` set; a test checks that each list here
//! is its folder, in order.
//!
//! A new migration is written twice (each in its backend's types, with the same effect),
//! listed in both lists here, and its tables and columns are added to `copy::TABLES` (the copy
//! refuses a schema it does not know, and the copy tests fail until it does).

use crate::store::BoxFuture;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};
use std::borrow::Cow;

/// One backend's migrations as `(version, description, sql)`.
pub type Migrations = &'static [(i64, &'static str, &'static str)];

pub const SQLITE: Migrations = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "customer details",
        include_str!("../migrations/sqlite/0002_customer_details.sql"),
    ),
    (
        3,
        "contact photos",
        include_str!("../migrations/sqlite/0003_contact_photos.sql"),
    ),
    (
        4,
        "usernames per tenant",
        include_str!("../migrations/sqlite/0004_usernames_per_tenant.sql"),
    ),
    (
        5,
        "oauth",
        include_str!("../migrations/sqlite/0005_oauth.sql"),
    ),
    (
        6,
        "terms by key",
        include_str!("../migrations/sqlite/0006_terms_by_key.sql"),
    ),
    (
        7,
        "import jobs",
        include_str!("../migrations/sqlite/0007_import_jobs.sql"),
    ),
];

pub const POSTGRES: Migrations = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "customer details",
        include_str!("../migrations/postgres/0002_customer_details.sql"),
    ),
    (
        3,
        "contact photos",
        include_str!("../migrations/postgres/0003_contact_photos.sql"),
    ),
    (
        4,
        "usernames per tenant",
        include_str!("../migrations/postgres/0004_usernames_per_tenant.sql"),
    ),
    (
        5,
        "oauth",
        include_str!("../migrations/postgres/0005_oauth.sql"),
    ),
    (
        6,
        "terms by key",
        include_str!("../migrations/postgres/0006_terms_by_key.sql"),
    ),
    (
        7,
        "import jobs",
        include_str!("../migrations/postgres/0007_import_jobs.sql"),
    ),
];

/// Embedded migrations as a sqlx migration source.
#[derive(Debug)]
pub struct Embedded(pub Migrations);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Migrations, POSTGRES, SQLITE};

    fn files(folder: &str) -> Vec<String> {
        let dir = format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("the migrations folder exists in the crate")
            .map(|e| {
                e.expect("readable directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        files
    }

    fn check(folder: &str, migrations: Migrations) {
        let embedded: Vec<String> = migrations
            .iter()
            .map(|(version, description, _)| {
                format!("{version:04}_{}.sql", description.replace(' ', "_"))
            })
            .collect();
        assert_eq!(files(folder), embedded, "{folder}");
        for (i, (version, _, sql)) in migrations.iter().enumerate() {
            assert_eq!(*version, i64::try_from(i).expect("few migrations") + 1);
            let path = format!(
                "{}/migrations/{folder}/{}",
                env!("CARGO_MANIFEST_DIR"),
                embedded[i]
            );
            let file = std::fs::read_to_string(path).expect("readable migration");
            assert_eq!(
                *sql, file,
                "{folder}/{} is embedded from its own file",
                embedded[i]
            );
        }
    }

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        check("sqlite", SQLITE);
        check("postgres", POSTGRES);
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        assert_eq!(files("sqlite"), files("postgres"));
    }
}
