//! A real S3 server for the tests: `moto_server` (PyPI `moto[server]`, installed by `.ci/run`),
//! started on a free port for one test and stopped when the test ends, with a fresh bucket.
//!
//! Where it cannot be started the test says so loudly on stderr and returns without checking
//! anything — and under `CI` it fails instead, so a green CI run always means the S3 tests ran.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use qingling_api::config::{BlobUrl, S3Settings, Settings};
use secrecy::SecretString;

/// A running S3 server; killed when dropped.
#[derive(Debug)]
pub struct S3Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.resume();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Says loudly that the S3 tests did not run; fails under `CI`.
fn not_run(why: &str) {
    let bar = "=".repeat(78);
    eprintln!(
        "\n{bar}\nS3 TESTS DID NOT RUN: {why}\ninstall the server with: python3 -m pip install 'moto[server]'\n{bar}\n"
    );
    assert!(
        std::env::var("CI").is_err(),
        "CI must run the S3 tests, but {why}"
    );
}

impl S3Server {
    /// Starts `moto_server` on a free port, or returns `None` (after saying so) where it is not
    /// installed. Fails the test under `CI`.
    pub fn start() -> Option<Self> {
        Self::start_on(free_port())
    }

    /// Starts it on `port`.
    pub fn start_on(port: u16) -> Option<Self> {
        let port_s = port.to_string();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port_s])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .or_else(|_| {
                Command::new("python3")
                    .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port_s])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
            });
        let child = match spawned {
            Ok(c) => c,
            Err(e) => {
                not_run(&format!("moto_server cannot be started ({e})"));
                return None;
            }
        };
        let mut server = Self { child, port };
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                not_run(&format!("moto_server exited at once ({status})"));
                return None;
            }
            if server.request("GET", "/").is_some_and(|s| s == 200) {
                return Some(server);
            }
            if started.elapsed() > Duration::from_secs(30) {
                not_run("moto_server did not answer within 30 s");
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends a bare HTTP request; returns the status, or `None` when nothing answers.
    pub fn request(&self, method: &str, path: &str) -> Option<u16> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }

    /// Creates a bucket with a fresh name and returns it.
    pub fn bucket(&self) -> String {
        let name = format!("qt-{}", uuid::Uuid::new_v4().simple());
        assert_eq!(
            self.request("PUT", &format!("/{name}")),
            Some(200),
            "create bucket {name}"
        );
        name
    }

    /// The `AWS_*` settings that reach this server.
    pub fn s3_settings(&self) -> S3Settings {
        S3Settings {
            endpoint: Some(format!("http://127.0.0.1:{}", self.port)),
            region: Some("us-east-1".into()),
            access_key_id: Some("test".into()),
            secret_access_key: Some(SecretString::from("test")),
            session_token: None,
            allow_http: true,
            virtual_hosted_style: false,
        }
    }

    /// The same as environment variables, for the binary or `cli::run`.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Points `settings` at `s3://bucket/prefix` on this server, with a short timeout so a
    /// stopped server turns into 503s quickly.
    pub fn apply(&self, settings: &mut Settings, bucket: &str, prefix: &str) {
        settings.blob = BlobUrl::S3 {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        };
        settings.s3 = self.s3_settings();
        settings.blob_timeout = Duration::from_secs(3);
    }

    /// Freezes the server (SIGSTOP): connections are accepted by the kernel but nothing answers,
    /// the worst kind of outage for a client.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status();
    }
}
