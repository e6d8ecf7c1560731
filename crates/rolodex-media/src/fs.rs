//! Photo storage in a local folder: a key `a/b/c` is the file `<root>/a/b/c`. Writes are
//! atomic: the bytes go to a temporary file in the same folder, which is synced and then
//! renamed over the target (and the folder synced), so a reader opens the whole old file, the
//! whole new one, or none; never a half-written one.

use async_trait::async_trait;
use rand::Rng;
use rolodex_core::ports::{PhotoStorage, RepoError};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Photo files under one root folder (`--media-dir`).
#[derive(Debug, Clone)]
pub struct FsPhotoStorage {
    root: PathBuf,
}

impl FsPhotoStorage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file of `key`. Keys are made by the core, never by clients; a key that could leave
    /// the root (absolute, `..`, empty parts) is refused all the same.
    fn path(&self, key: &str) -> Result<PathBuf, RepoError> {
        let relative = Path::new(key);
        let plain = !key.is_empty()
            && !key.contains('\\')
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if plain {
            Ok(self.root.join(relative))
        } else {
            Err(RepoError::Other(
                format!("photo key '{key}' is not a relative path").into(),
            ))
        }
    }
}

fn other(e: io::Error) -> RepoError {
    RepoError::Other(Box::new(e))
}

fn put_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("a photo file has a folder"))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("a photo file has a name"))?
        .to_string_lossy();
    let nonce: u64 = rand::rng().random();
    let temp = dir.join(format!(".{name}.{nonce:016x}.tmp"));
    let written = (|| {
        let mut file = std::fs::File::create_new(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[async_trait]
impl PhotoStorage for FsPhotoStorage {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), RepoError> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || put_atomically(&path, &bytes))
            .await
            .map_err(|e| RepoError::Other(Box::new(e)))?
            .map_err(other)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RepoError> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(other(e)),
        }
    }

    async fn list(&self, folder: &str) -> Result<Vec<String>, RepoError> {
        let mut entries = match tokio::fs::read_dir(self.path(folder)?).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(other(e)),
        };
        let mut names = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(other)? {
            if entry.file_type().await.map_err(other)?.is_file()
                && let Some(name) = entry.file_name().to_str()
            {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    async fn delete(&self, key: &str) -> Result<(), RepoError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(other(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_replaces_whole_files_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = FsPhotoStorage::new(dir.path());
        let key = "tenants/1/photos/a.png";
        storage.put(key, vec![1; 10]).await.expect("put");
        storage.put(key, vec![2; 5]).await.expect("put again");
        assert_eq!(storage.get(key).await.expect("get"), Some(vec![2; 5]));
        let folder = dir.path().join("tenants/1/photos");
        let names: Vec<_> = std::fs::read_dir(&folder)
            .expect("folder")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.png")]);
        assert_eq!(
            storage.list("tenants/1/photos").await.expect("list"),
            ["a.png"]
        );
        assert!(
            storage
                .list("tenants/2/photos")
                .await
                .expect("list")
                .is_empty()
        );
        storage.delete(key).await.expect("delete");
        storage.delete(key).await.expect("deleting twice is fine");
        assert_eq!(storage.get(key).await.expect("get"), None);
    }

    #[tokio::test]
    async fn keys_cannot_leave_the_root() {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = FsPhotoStorage::new(dir.path());
        for key in ["../x", "/etc/passwd", "a/../../b", "", "a\\b"] {
            assert!(storage.get(key).await.is_err(), "{key}");
            assert!(storage.put(key, vec![0]).await.is_err(), "{key}");
        }
    }
}
