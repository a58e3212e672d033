//! Regular expressions follow RE2, as in Sheets, where it differs from the `regex` crate:
//! ASCII-only `\d \w \s \b`, `\Q…\E` quoting, literal `[`/`&&`/`~~` inside classes, no `\p{…}`.

mod common;

use common::{check_all, eval};

#[test]
fn perl_classes_are_ascii_only() {
    check_all(&[
        ("=REGEXMATCH(\"٣\", \"\\d\")", "FALSE"),
        ("=REGEXMATCH(\"3\", \"\\d\")", "TRUE"),
        ("=REGEXMATCH(\"é\", \"\\w\")", "FALSE"),
        ("=REGEXMATCH(\"é\", \"\\W\")", "TRUE"),
        ("=REGEXMATCH(\"a_1\", \"^\\w+$\")", "TRUE"),
        ("=REGEXMATCH(\"\u{a0}\", \"\\s\")", "FALSE"),
        ("=REGEXMATCH(\"a\tb\", \"a\\sb\")", "TRUE"),
        ("=REGEXMATCH(\"٣\", \"[\\d]\")", "FALSE"),
        ("=REGEXMATCH(\"x٣\", \"^[x\\D]+$\")", "TRUE"),
    ]);
}

#[test]
fn word_boundaries_are_ascii() {
    check_all(&[
        ("=REGEXMATCH(\"the cat\", \"\\bcat\\b\")", "TRUE"),
        ("=REGEXMATCH(\"concat\", \"\\bcat\")", "FALSE"),
        // `é` is not a word character for RE2, so there is a boundary before `t`.
        ("=REGEXMATCH(\"été\", \"\\bt\")", "TRUE"),
        ("=REGEXMATCH(\"ab\", \"a\\Bb\")", "TRUE"),
    ]);
}

#[test]
fn quoted_literal_text() {
    check_all(&[
        ("=REGEXMATCH(\"a.*b\", \"\\Q.*\\E\")", "TRUE"),
        ("=REGEXMATCH(\"ab\", \"\\Q.*\\E\")", "FALSE"),
        ("=REGEXMATCH(\"1+1=2\", \"^\\Q1+1\\E=\")", "TRUE"),
        ("=REGEXMATCH(\"(x)\", \"\\Q(x)\")", "TRUE"),
    ]);
}

#[test]
fn class_syntax_is_re2s() {
    check_all(&[
        ("=REGEXMATCH(\"&\", \"^[a&&b]$\")", "TRUE"),
        ("=REGEXMATCH(\"[\", \"^[[a]$\")", "TRUE"),
        ("=REGEXMATCH(\"~\", \"^[~~]$\")", "TRUE"),
        ("=REGEXMATCH(\"]\", \"^[]a]$\")", "TRUE"),
        ("=REGEXMATCH(\"b\", \"^[^]a]$\")", "TRUE"),
        ("=REGEXMATCH(\"x\", \"^[[:alpha:]]$\")", "TRUE"),
        ("=REGEXMATCH(\"1\", \"^[[:alpha:]]$\")", "FALSE"),
        ("=REGEXMATCH(\"-\", \"^[a-]$\")", "TRUE"),
    ]);
}

#[test]
fn flags_and_anchors() {
    check_all(&[
        ("=REGEXMATCH(\"ABC\", \"(?i)b\")", "TRUE"),
        ("=REGEXMATCH(\"a\nb\", \"a.b\")", "FALSE"),
        ("=REGEXMATCH(\"a\nb\", \"(?s)a.b\")", "TRUE"),
        ("=REGEXMATCH(\"a\nb\", \"^b$\")", "FALSE"),
        ("=REGEXMATCH(\"a\nb\", \"(?m)^b$\")", "TRUE"),
        ("=REGEXMATCH(\"A\", \"\\x41\")", "TRUE"),
        ("=REGEXMATCH(\"A\", \"\\101\")", "TRUE"),
    ]);
}

/// `Collaboration.*Results.*Transparency` is answered by substring search; the same pattern
/// with groups goes through the regex engine. Both must agree, line breaks included (`.` does
/// not match a newline).
#[test]
fn literal_text_joined_by_dot_star_matches_as_the_regex_engine_does() {
    let texts = [
        "Collaboration, Results, Transparency",
        "Transparency, Collaboration, Results",
        "Results, Transparency, Collaboration",
        "Collaboration, Results",
        "Collaboration\nResults, Transparency",
        "Collaboration\nCollaboration, Results, Transparency",
        "Results Collaboration Results Transparency",
        "CollaborationResultsTransparency",
        "collaboration, results, transparency",
        "Collaboration → Résultats → Transparence",
        "",
    ];
    for text in texts {
        let cells = [("D", text)];
        let fast = eval(
            "=REGEXMATCH(D2, \"Collaboration.*Results.*Transparency\")",
            &cells,
        );
        let engine = eval(
            "=REGEXMATCH(D2, \"(Collaboration).*(Results).*(Transparency)\")",
            &cells,
        );
        assert_eq!(fast, engine, "{text:?}");
    }
    check_all(&[
        ("=REGEXMATCH(\"xa\", \"a.*\")", "TRUE"),
        ("=REGEXMATCH(\"\", \".*\")", "TRUE"),
        ("=REGEXMATCH(\"xaby\", \"ab\")", "TRUE"),
        ("=REGEXMATCH(\"éü\", \"é.*ü\")", "TRUE"),
        ("=REGEXMATCH(\"ü\né\", \"é.*ü\")", "FALSE"),
        ("=REGEXMATCH(3, \"a.*b\")", "#VALUE!"),
    ]);
}
