//! Subjects: the issue or merge request a response is about, compared after normalising its URL.

use serde::{Deserialize, Serialize};

/// A normalised subject link. Two responses are about the same issue/MR exactly when their
/// `SubjectUrl`s are equal.
///
/// Normalising lowercases the scheme and host, drops `#note_…` anchors and other fragments,
/// query strings and trailing slashes, and writes GitLab's legacy `/issues/N` and
/// `/merge_requests/N` paths in their current `/-/issues/N` form. Text that is not an
/// `http(s)` URL is kept as given, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectUrl(String);

impl SubjectUrl {
    /// Normalises a subject as written in the sheet.
    pub fn parse(raw: &str) -> SubjectUrl {
        let mut out = String::new();
        SubjectUrl::normalise_into(raw, &mut out);
        SubjectUrl(out)
    }

    /// Writes the normalised text of `raw` into `out` (cleared first): the same text as
    /// [`SubjectUrl::parse`], without allocating when `out` has room. Common GitLab links are
    /// normalised on bytes; only odd ones (ports, user info, `%`, dot segments, non-ASCII, IP
    /// addresses, `xn--` labels…) go through a full URL parse.
    pub fn normalise_into(raw: &str, out: &mut String) {
        out.clear();
        let raw = raw.trim();
        match fast_normalise(raw, out) {
            Fast::Done => {}
            Fast::NotALink => out.push_str(raw),
            Fast::Unsure => {
                out.clear();
                out.push_str(&parse_with_url(raw));
            }
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the subject is empty (the response names no issue or MR).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The full normalisation through a URL parser.
fn parse_with_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return raw.to_owned();
    }
    url.set_fragment(None);
    url.set_query(None);
    let path = url.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len() + 1);
    for (i, seg) in segments.iter().enumerate() {
        let is_kind = is_kind(seg);
        let prev_is_dash = i > 0 && segments[i - 1] == "-";
        if is_kind && !prev_is_dash && i + 1 < segments.len() {
            out.push("-");
        }
        out.push(seg);
    }
    let path = out.join("/");
    url.set_path(&path);
    let mut s = url.to_string();
    while s.ends_with('/') {
        s.pop();
    }
    s
}

fn is_kind(segment: &str) -> bool {
    matches!(
        segment,
        "issues" | "merge_requests" | "work_items" | "epics"
    )
}

/// What the byte-level normaliser made of a (trimmed) subject.
enum Fast {
    /// `out` holds the normalised link.
    Done,
    /// Not an http(s) URL whatever a parser says: kept as written.
    NotALink,
    /// Needs the full parser.
    Unsure,
}

/// The path characters a URL keeps as they are (no `%`, backslash, quote or space).
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        plain[c] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'+'
                    | b'='
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b';'
                    | b':'
            );
        c += 1;
    }
    plain
};

/// Normalises the common shapes of a link on bytes, exactly as [`parse_with_url`] would:
/// `http(s)://` in any case, a host of ASCII letters, digits, dots and hyphens (no port, no
/// user info, not an IP address, no `xn--` label), and a path of plain characters (no `%`,
/// backslash, dot segments or characters a URL would escape); the query and anchor dropped.
fn fast_normalise(raw: &str, out: &mut String) -> Fast {
    let b = raw.as_bytes();
    match b.first() {
        None => return Fast::NotALink,
        // A URL parser skips leading control characters; only text starting with `h` (or
        // such a character) can be an http(s) link.
        Some(&c) if c > b' ' && !c.eq_ignore_ascii_case(&b'h') => return Fast::NotALink,
        _ => {}
    }
    let scheme = if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        "http"
    } else if b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        "https"
    } else {
        return Fast::Unsure;
    };
    let host_start = scheme.len() + 3;
    let host_len = b[host_start..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')))
        .unwrap_or(b.len() - host_start);
    let host = &b[host_start..host_start + host_len];
    let rest = &b[host_start + host_len..];
    if host.is_empty() || !matches!(rest.first(), None | Some(b'/' | b'?' | b'#')) {
        return Fast::Unsure;
    }
    let mut labels = host.split(|&c| c == b'.');
    let mut last: &[u8] = b"";
    for label in &mut labels {
        if label.is_empty() || (label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--")) {
            return Fast::Unsure;
        }
        last = label;
    }
    // A host whose last label starts with a digit may be an IPv4 address.
    if !last.first().is_some_and(u8::is_ascii_alphabetic) {
        return Fast::Unsure;
    }
    // The path runs to the query or anchor, and must be plain characters only.
    let mut path_len = rest.len();
    for (i, &c) in rest.iter().enumerate() {
        if c == b'?' || c == b'#' {
            path_len = i;
            break;
        }
        if !PLAIN[usize::from(c)] {
            return Fast::Unsure;
        }
    }
    // Plain characters are ASCII, so these conversions cannot fail.
    let (Ok(host), Ok(path)) = (
        std::str::from_utf8(host),
        std::str::from_utf8(&rest[..path_len]),
    ) else {
        return Fast::Unsure;
    };
    let path = path.trim_end_matches('/');
    out.clear();
    out.push_str(scheme);
    out.push_str("://");
    let host_at = out.len();
    out.push_str(host);
    out[host_at..].make_ascii_lowercase();
    // The path is `/`-separated segments; its first segment, before the first `/`, is empty.
    let bytes = path.as_bytes();
    let (mut start, mut prev_dash, mut first) = (0, false, true);
    while start <= bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&c| c == b'/')
            .map_or(bytes.len(), |i| start + i);
        let seg = &path[start..end];
        if seg == "." || seg == ".." {
            return Fast::Unsure;
        }
        if !first {
            out.push('/');
        }
        if !prev_dash && end < bytes.len() && is_kind(seg) {
            out.push_str("-/");
        }
        out.push_str(seg);
        prev_dash = seg == "-";
        first = false;
        start = end + 1;
    }
    Fast::Done
}

impl std::fmt::Display for SubjectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{SubjectUrl, parse_with_url};
    use proptest::prelude::*;

    fn same(a: &str, b: &str) {
        assert_eq!(SubjectUrl::parse(a), SubjectUrl::parse(b), "{a} vs {b}");
    }

    #[test]
    fn equivalent_links_normalise_to_one_subject() {
        let canonical = "https://gitlab.com/gitlab-com/support/support-ops/x/-/issues/12";
        same(
            canonical,
            "HTTPS://GitLab.com/gitlab-com/support/support-ops/x/-/issues/12/",
        );
        same(
            canonical,
            "https://gitlab.com/gitlab-com/support/support-ops/x/issues/12",
        );
        same(canonical, &format!("{canonical}#note_12345"));
        same(canonical, &format!("{canonical}?foo=bar"));
        same(canonical, &format!("  {canonical}  "));
        assert_eq!(SubjectUrl::parse(canonical).as_str(), canonical);
    }

    #[test]
    fn merge_requests_normalise_too() {
        same(
            "https://gitlab.com/a/b/merge_requests/7",
            "https://gitlab.com/a/b/-/merge_requests/7#note_1",
        );
    }

    #[test]
    fn different_issues_stay_different() {
        assert_ne!(
            SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1"),
            SubjectUrl::parse("https://gitlab.com/a/b/-/issues/2")
        );
        assert_ne!(
            SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1"),
            SubjectUrl::parse("https://gitlab.com/a/b/-/merge_requests/1")
        );
    }

    #[test]
    fn non_urls_are_kept_trimmed() {
        assert_eq!(
            SubjectUrl::parse("  ZD macro cleanup ").as_str(),
            "ZD macro cleanup"
        );
    }

    /// Pieces of links, common and odd, for comparing the byte-level normaliser with the parser.
    fn link() -> impl Strategy<Value = String> {
        let pick = |items: &'static [&'static str]| prop::sample::select(items.to_vec());
        (
            pick(&["", " ", "\t", "\u{a0}", "\u{1}"]),
            pick(&["https", "http", "HTTPS", "Http", "ftp", "h", "", "hxxp"]),
            pick(&["://", ":/", ":///", ":", "//"]),
            pick(&[
                "gitlab.com",
                "GitLab.COM",
                "www.gitlab.com",
                "1.2.3.4",
                "a..b",
                "xn--abc",
                "xn--nxasmq6b.com",
                "gitlab.com.",
                ".gitlab.com",
                "-a-.com",
                "a_b.com",
                "münchen.de",
                "gitlab.com:443",
                "gitlab.com:80",
                "gitlab.com:8080",
                "user@gitlab.com",
                "foo.123",
                "foo.0x1f",
                "[::1]",
                "",
                "exa mple.com",
                "0x7f",
            ]),
            prop::collection::vec(
                pick(&[
                    "",
                    "a",
                    "B",
                    "-",
                    "issues",
                    "merge_requests",
                    "work_items",
                    "epics",
                    "12",
                    ".",
                    "..",
                    "%2e",
                    "%41",
                    "a b",
                    "ü",
                    "a+b",
                    "x:y",
                    "~u",
                    "a'b",
                    "`",
                    "{",
                    "\\",
                    "\t",
                    "a.b",
                    "...",
                ]),
                0..6,
            ),
            pick(&[
                "", "/", "//", "?q=1", "#note_1", "#", "?", "?a#b", "#x y", "?ü",
            ]),
            pick(&["", " ", "\n"]),
        )
            .prop_map(|(lead, scheme, sep, host, segs, tail, trail)| {
                let mut s = format!("{lead}{scheme}{sep}{host}");
                for seg in segs {
                    s.push('/');
                    s.push_str(seg);
                }
                format!("{s}{tail}{trail}")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn the_byte_fast_path_normalises_exactly_like_the_url_parser(raw in link()) {
            let fast = SubjectUrl::parse(&raw);
            prop_assert_eq!(fast.as_str(), parse_with_url(raw.trim()));
        }
    }

    #[test]
    fn free_text_and_odd_links_normalise_like_the_url_parser() {
        for raw in [
            "ZD macro cleanup #1",
            "see Slack thread #support-ops",
            "HTTP://GitLab.com:80/a/b/issues/1/#",
            "https://gitlab.com:8443/a/b/issues/1",
            "https://www.GitLab.com/a/b/merge_requests/2?x=1#note_3",
            "https://gitlab.com/a b/issues/1",
            "https://gitlab.com/ü/issues/1",
            "https://gitlab.com/a/./b/../issues/1",
            "https://gitlab.com",
            "https://gitlab.com/issues/1",
            "https://gitlab.com/-/issues/1",
            "https://gitlab.com/a/issues",
            "http://1.2.3.4/a/issues/5",
            "h",
            "",
        ] {
            assert_eq!(
                SubjectUrl::parse(raw).as_str(),
                parse_with_url(raw.trim()),
                "{raw}"
            );
        }
    }
}
