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
        let raw = raw.trim();
        let Ok(mut url) = url::Url::parse(raw) else {
            return SubjectUrl(raw.to_owned());
        };
        if !matches!(url.scheme(), "http" | "https") {
            return SubjectUrl(raw.to_owned());
        }
        url.set_fragment(None);
        url.set_query(None);
        let path = url.path().trim_end_matches('/').to_owned();
        let segments: Vec<&str> = path.split('/').collect();
        let mut out: Vec<&str> = Vec::with_capacity(segments.len() + 1);
        for (i, seg) in segments.iter().enumerate() {
            let is_kind = matches!(*seg, "issues" | "merge_requests" | "work_items" | "epics");
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
        SubjectUrl(s)
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

impl std::fmt::Display for SubjectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::SubjectUrl;

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
}
