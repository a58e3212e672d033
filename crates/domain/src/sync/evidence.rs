//! What a Feedback Review issue says about its feedback, read back from the Markdown that
//! `supportops review` writes into the tracker: the subject named by the hidden marker
//! `<!-- supportops:subject=… -->`, and the responses listed in the tables whose last column is
//! `Band` (one row per response, in the description and in later notes).
//!
//! Reading the tracker rather than the local store keeps the agenda right when the store is new
//! or lost, and works the same with GitLab and the local tracker.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::BandMix;
use crate::Band;

pub use crate::markers::review_subject;

/// Adds up the responses listed in `text`'s tables that have a `Band` column.
pub fn tally_bands(text: &str, mix: &mut BandMix) {
    let mut band_column: Option<usize> = None;
    let mut in_head = false;
    let mut column = 0usize;
    let mut cell = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => band_column = None,
            Event::Start(Tag::TableHead) => {
                in_head = true;
                column = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => column = 0,
            Event::Start(Tag::TableCell) => cell.clear(),
            Event::Text(t) | Event::Code(t) => cell.push_str(&t),
            Event::End(TagEnd::TableCell) => {
                if in_head {
                    if cell.trim().eq_ignore_ascii_case("band") {
                        band_column = Some(column);
                    }
                } else if band_column == Some(column) {
                    let word = cell.split_whitespace().next().unwrap_or("");
                    if let Some(band) = Band::parse(word) {
                        mix.add(band, 1);
                    }
                }
                column += 1;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DESCRIPTION: &str = "\
## Action plan

<!-- to do -->

## Feedback responses

Subject: https://gitlab.com/a/b/-/issues/1

| Row | Submitted | Comment | Score | Band |
| --- | --- | --- | --- | --- |
| 2 | 1/2/2026 | a \\| b | -1 | Red (Bad) |
| 5 | 1/5/2026 | fine | 1 | Yellow (Needs Improvement) |
| 6 | 1/6/2026 | ? | #VALUE! | Error |

<!-- supportops:subject=https://gitlab.com/a-%2Db/c/-/issues/1 -->
<!-- supportops:responses=h:1,h:2,h:3 -->
";

    #[test]
    fn the_subject_comes_from_the_hidden_marker() {
        assert_eq!(
            review_subject(DESCRIPTION).as_deref(),
            Some("https://gitlab.com/a--b/c/-/issues/1")
        );
        assert_eq!(review_subject("no marker here"), None);
    }

    #[test]
    fn each_row_of_a_band_table_is_one_response() {
        let mut mix = BandMix::default();
        tally_bands(DESCRIPTION, &mut mix);
        let note = "1 new flagged response:\n\n| Row | Score | Band |\n| --- | --- | --- |\n| 9 | 0 | Red (Bad) |\n";
        tally_bands(note, &mut mix);
        assert_eq!(
            mix,
            BandMix {
                green: 0,
                yellow: 1,
                red: 2,
                error: 1
            }
        );
    }

    #[test]
    fn tables_without_a_band_column_are_not_responses() {
        let mut mix = BandMix::default();
        tally_bands(
            "| Step | Owner |\n| --- | --- |\n| Red tape | amara |\n",
            &mut mix,
        );
        assert_eq!(mix.total(), 0);
    }
}
