//! Test helpers: the fake GitLab server, fixtures.
