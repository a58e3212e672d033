//! The web service: dashboard, JSON API, webhook, calendar feed.
