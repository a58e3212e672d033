//! The GitLab tracker adapter (REST API v4).
