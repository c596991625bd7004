//! Photo blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Alibaba OSS, Tencent COS in
//! S3 mode), through `object_store`'s S3 client.
//!
//! The bytes that reach the bucket are the vault's sealed blobs, exactly as on disk: the bucket
//! never holds a JPEG, an EXIF block or a plaintext anything. Objects are named as the local
//! folder names its files, `PREFIX/ab/cd/<sha256>`, so a key still names one content and a read
//! verifies what came back before anyone opens it.
//!
//! Durability: S3's `PUT` is atomic and acknowledged only once the object is stored, so
//! [`BlobStore::put`] returning is the same promise as the local folder's fsync — the caller
//! commits its row afterwards, and a receipt is never handed out for a photo the store has not
//! acknowledged. There are no temporary objects to clean up; unreferenced objects (a crash
//! between the put and the commit) are found by listing the prefix and judged by their
//! last-modified time.
//!
//! Slowness is bounded: every request, retries included, must finish within the configured
//! timeout (`QINGLING_BLOB_TIMEOUT`), so a hung store turns into a clear 503 for the phone
//! instead of a request that never ends.
//!
//! The trait is blocking (callers are on the blocking pool) while the client is async, so the
//! store owns a small runtime of its own and waits for each request on a channel; this works
//! from any thread, inside a tokio runtime or not.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::TryStreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _, PutPayload, RetryConfig,
};
use secrecy::ExposeSecret as _;

use super::blob::{BlobStore, is_valid_key, key_of};
use crate::config::S3Settings;

/// Blobs in `s3://BUCKET/PREFIX`.
pub struct S3BlobStore {
    client: Arc<AmazonS3>,
    bucket: String,
    prefix: String,
    timeout: Duration,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3BlobStore")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Drop for S3BlobStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks; shutting it down in the background is allowed anywhere,
        // including inside another runtime (a test's, or the server's at exit).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl S3BlobStore {
    /// A client for `bucket` under `prefix` (no leading or trailing `/`), reaching the store
    /// as `s3` says, each request bounded by `timeout`. Makes no request yet: call
    /// [`S3BlobStore::probe`] to find out whether the bucket can be used.
    pub fn new(
        bucket: &str,
        prefix: &str,
        s3: &S3Settings,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        s3.check()?;
        // object_store is built on ring (not aws-lc-rs) here; rustls needs to be told so once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let options = ClientOptions::new()
            .with_timeout(timeout)
            .with_connect_timeout(timeout.min(Duration::from_secs(5)))
            .with_allow_http(s3.allow_http);
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 3,
            retry_timeout: timeout,
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
            .with_client_options(options)
            .with_allow_http(s3.allow_http)
            .with_virtual_hosted_style_request(s3.virtual_hosted_style)
            .with_retry(retry);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose_secret());
        }
        if let Some(token) = &s3.session_token {
            builder = builder.with_token(token.expose_secret());
        }
        let client = builder.build().with_context(|| {
            format!(
                "QINGLING_BLOB_URL=s3://{bucket}: cannot set up the S3 client (check AWS_ENDPOINT, AWS_REGION)"
            )
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("qingling-s3")
            .enable_all()
            .build()
            .context("cannot start the S3 client's runtime")?;
        Ok(Self {
            client: Arc::new(client),
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            timeout,
            runtime: Some(runtime),
        })
    }

    /// Writes, reads back and deletes a small object under the prefix, so that a wrong bucket,
    /// endpoint or credential (or a read-only key) stops `serve` at start-up, with the setting
    /// to fix named, rather than the first photo of the first report.
    pub fn probe(&self) -> anyhow::Result<()> {
        let path = Path::from(self.object_name(&format!(
            ".qingling-probe/{}",
            uuid::Uuid::new_v4().simple()
        )));
        let client = self.client.clone();
        let written = self.run(async move {
            client
                .put(&path, PutPayload::from_static(b"qingling probe"))
                .await?;
            let back = client.get(&path).await?.bytes().await?;
            client.delete(&path).await?;
            Ok(back)
        });
        match written {
            Ok(back) if back.as_ref() == b"qingling probe" => Ok(()),
            Ok(_) => anyhow::bail!(
                "QINGLING_BLOB_URL={}: the bucket returned other bytes than were written",
                self.location()
            ),
            Err(e) => Err(anyhow::anyhow!(
                "QINGLING_BLOB_URL={}: cannot write to the bucket ({e}); check that the bucket exists \
                 and that AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                 (and AWS_ALLOW_HTTP for an http:// endpoint) reach it with write access",
                self.location()
            )),
        }
    }

    fn object_name(&self, rest: &str) -> String {
        if self.prefix.is_empty() {
            rest.to_owned()
        } else {
            format!("{}/{rest}", self.prefix)
        }
    }

    fn path_of(&self, key: &str) -> io::Result<Path> {
        if !is_valid_key(key) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a blob key",
            ));
        }
        Ok(Path::from(self.object_name(&format!(
            "{}/{}/{key}",
            &key[..2],
            &key[2..4]
        ))))
    }

    /// The key an object's path names, when it is one of ours (`PREFIX/ab/cd/<key>`).
    fn key_of_path(&self, path: &Path) -> Option<String> {
        let name = path.filename()?;
        (is_valid_key(name) && self.path_of(name).ok().as_ref() == Some(path))
            .then(|| name.to_owned())
    }

    /// Every object under the prefix with its last-modified time.
    fn list(&self) -> io::Result<Vec<object_store::ObjectMeta>> {
        let client = self.client.clone();
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        // Listing a large bucket takes many pages: allow it more than one request's time.
        self.run_for(self.timeout * 30, async move {
            client.list(prefix.as_ref()).try_collect::<Vec<_>>().await
        })
    }

    /// Runs `fut` on the store's runtime and waits for it, at most the request timeout.
    fn run<T, F>(&self, fut: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: Future<Output = object_store::Result<T>> + Send + 'static,
    {
        self.run_for(self.timeout, fut)
    }

    fn run_for<T, F>(&self, limit: Duration, fut: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: Future<Output = object_store::Result<T>> + Send + 'static,
    {
        let Some(rt) = &self.runtime else {
            return Err(io::Error::other("the S3 client has shut down"));
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let _ = tx.send(tokio::time::timeout(limit, fut).await);
        });
        match rx.recv() {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(to_io(e)),
            Ok(Err(_elapsed)) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the object store did not answer within {limit:?}"),
            )),
            Err(_) => Err(io::Error::other("the S3 client has shut down")),
        }
    }
}

fn to_io(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => {
            io::Error::new(io::ErrorKind::NotFound, "no such blob")
        }
        other => io::Error::other(other.to_string()),
    }
}

impl BlobStore for S3BlobStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let key = key_of(bytes);
        let path = self.path_of(&key)?;
        let client = self.client.clone();
        let payload = PutPayload::from(bytes::Bytes::copy_from_slice(bytes));
        self.run(async move { client.put(&path, payload).await })?;
        Ok(key)
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let path = self.path_of(key)?;
        let client = self.client.clone();
        let bytes = self.run(async move { client.get(&path).await?.bytes().await })?;
        if key_of(&bytes) != key {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "blob does not match its key",
            ));
        }
        Ok(bytes.to_vec())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let path = self.path_of(key)?;
        let client = self.client.clone();
        match self.run(async move { client.delete(&path).await }) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn list_keys(&self) -> io::Result<Vec<String>> {
        let mut keys: Vec<String> = self
            .list()?
            .iter()
            .filter_map(|m| self.key_of_path(&m.location))
            .collect();
        keys.sort_unstable();
        Ok(keys)
    }

    fn remove_orphans(
        &self,
        is_referenced: &dyn Fn(&str) -> bool,
        older_than: Duration,
    ) -> io::Result<usize> {
        let now = chrono::Utc::now();
        let mut removed = 0;
        for meta in self.list()? {
            let Some(key) = self.key_of_path(&meta.location) else {
                continue;
            };
            let age = (now - meta.last_modified)
                .to_std()
                .unwrap_or(Duration::ZERO);
            if age >= older_than && !is_referenced(&key) {
                self.delete(&key)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn location(&self) -> String {
        crate::config::BlobUrl::S3 {
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
        }
        .to_url()
    }
}
