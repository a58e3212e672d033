//! Use cases behind the dashboard's pages and the JSON API: each reads a bounded slice of the
//! store (a page of rows, or aggregates grouped in SQL) through [`PageQueries`], so answering
//! costs the same whatever the store holds. The server turns what they return into view
//! models.
//!
//! [`PageQueries`]: supportops_ports::store::PageQueries

pub mod overview;
pub mod responses;
pub mod reviews;

use supportops_ports::store::pages::PageRequest;

/// Rows per page of a list unless the caller asks otherwise.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The most rows one page may hold.
pub const MAX_PER_PAGE: u64 = 500;

/// A 1-based page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// The page, from 1.
    pub page: u64,
    /// Rows per page, from 1 to [`MAX_PER_PAGE`].
    pub per_page: u64,
}

impl Paging {
    /// The slice of the list this page is.
    pub fn request(self) -> PageRequest {
        PageRequest {
            offset: self.page.saturating_sub(1).saturating_mul(self.per_page),
            limit: self.per_page.clamp(1, MAX_PER_PAGE),
        }
    }

    /// How many pages `total` rows make (at least 1).
    pub fn pages(self, total: u64) -> u64 {
        total.div_ceil(self.per_page.max(1)).max(1)
    }

    /// The 1-based positions of this page's first and last row among `total` (`0, 0` when the
    /// page is empty).
    pub fn showing(self, total: u64) -> (u64, u64) {
        let r = self.request();
        if r.offset >= total {
            return (0, 0);
        }
        (r.offset + 1, (r.offset + r.limit).min(total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list() {
        let p = Paging {
            page: 2,
            per_page: 50,
        };
        assert_eq!(p.request().offset, 50);
        assert_eq!(p.pages(5_000), 100);
        assert_eq!(p.showing(5_000), (51, 100));
        assert_eq!(p.showing(60), (51, 60));
        assert_eq!(p.showing(50), (0, 0));
        assert_eq!(p.pages(0), 1);
    }
}
