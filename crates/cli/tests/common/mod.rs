//! What the CLI tests share: the binary started in a directory with a clean environment, its
//! output read back, and a `serve` run driven over plain HTTP on loopback.

#![allow(dead_code, reason = "each test file uses the part it needs")]

use std::io::{BufRead as _, Read as _, Write as _};
use std::path::Path;

use assert_cmd::Command;

/// The binary in `dir`: no `SUPPORTOPS_CONFIG`, no GitLab token, no colour.
pub fn supportops(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1");
    cmd
}

/// What a run printed, and how it exited.
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `cmd` to its end.
pub fn output(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running `serve`, killed when the test ends however it ends.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` (a `serve`) and waits until it says it is serving; returns the server and
/// what it printed until then.
pub fn serve(mut cmd: std::process::Command) -> (Server, Vec<String>) {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let serving = line.contains("is serving");
        lines.push(line);
        if serving {
            break;
        }
    }
    (server, lines)
}

/// A `GET` over plain HTTP/1.1 that must answer 200; returns the body.
pub fn get(port: u16, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}
