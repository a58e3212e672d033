//! The frame around every page (menu, demo banner, the time) and the page shown for an
//! error. Its own module so that `error` (which renders the error page) and `pages` (which
//! returns `error`'s types) do not import each other.

use askama::Template;
use axum::http::StatusCode;

use crate::state::AppState;
use crate::views::utc_minute;

/// What the layout around every page needs.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The path of the current page in the menu.
    pub active: &'static str,
    /// Whether to show the demo banner.
    pub demo: bool,
    /// "Now", as the header shows it.
    pub now: String,
    /// Who is signed in, if anyone.
    pub actor: Option<crate::access::Actor>,
}

impl Layout {
    pub(crate) fn of(state: &AppState, active: &'static str) -> Layout {
        Layout {
            active,
            demo: state.demo(),
            now: utc_minute(state.now()),
            actor: crate::access::current(),
        }
    }

    /// Whether the person may act (forms are shown to editors only).
    pub fn may_act(&self) -> bool {
        self.actor
            .as_ref()
            .is_some_and(crate::access::Actor::may_act)
    }

    /// The CSRF token forms carry.
    pub fn csrf(&self) -> &str {
        self.actor.as_ref().map_or("", crate::access::Actor::csrf)
    }

    /// The menu: `(path, label)`.
    pub fn nav(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("/", "Overview"),
            ("/responses", "Responses"),
            ("/reviews", "Reviews"),
            ("/shadowing", "Shadowing"),
            ("/syncs", "Syncs"),
            ("/what-if", "What if"),
            ("/notifications", "Chat"),
        ]
    }
}

/// The page shown for an error.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    layout: Layout,
    status: String,
    title: &'static str,
    /// The message shown (also the plain-text fallback).
    pub message: String,
    hint: Option<String>,
}

impl ErrorPage {
    /// An error page.
    pub fn new(
        status: StatusCode,
        title: &'static str,
        message: String,
        hint: Option<String>,
    ) -> ErrorPage {
        ErrorPage {
            layout: Layout::default(),
            status: format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
            title,
            message,
            hint,
        }
    }
}
