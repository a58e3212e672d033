//! The functions a formula can call: names, argument counts, signatures (for messages and the
//! reference docs), which arguments may be ranges, and "did you mean" suggestions.

use std::fmt;

/// A supported Sheets function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `SUM`
    Sum,
    /// `IF`
    If,
    /// `IFS`
    Ifs,
    /// `IFERROR`
    IfError,
    /// `IFNA`
    IfNa,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`
    Not,
    /// `XOR`
    Xor,
    /// `SWITCH`
    Switch,
    /// `REGEXMATCH`
    RegexMatch,
    /// `REGEXEXTRACT`
    RegexExtract,
    /// `REGEXREPLACE`
    RegexReplace,
    /// `ISBLANK`
    IsBlank,
    /// `ISNUMBER`
    IsNumber,
    /// `ISTEXT`
    IsText,
    /// `ISERROR`
    IsError,
    /// `ISNA`
    IsNa,
    /// `LEN`
    Len,
    /// `LOWER`
    Lower,
    /// `UPPER`
    Upper,
    /// `TRIM`
    Trim,
    /// `VALUE`
    Value,
    /// `LEFT`
    Left,
    /// `RIGHT`
    Right,
    /// `MID`
    Mid,
    /// `SEARCH`
    Search,
    /// `FIND`
    Find,
    /// `SUBSTITUTE`
    Substitute,
    /// `CONCATENATE`
    Concatenate,
    /// `TEXTJOIN`
    TextJoin,
    /// `EXACT`
    Exact,
    /// `MAX`
    Max,
    /// `MIN`
    Min,
    /// `AVERAGE`
    Average,
    /// `COUNT`
    Count,
    /// `COUNTA`
    CountA,
    /// `COUNTIF`
    CountIf,
    /// `ABS`
    Abs,
    /// `ROUND`
    Round,
    /// `ROUNDUP`
    RoundUp,
    /// `ROUNDDOWN`
    RoundDown,
    /// `INT`
    Int,
    /// `MOD`
    Mod,
}

/// Which arguments of a function may be ranges such as `C2:F2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeArgs {
    /// None: every argument is one value.
    None,
    /// Every argument.
    All,
    /// Arguments from this index on.
    From(usize),
    /// Only the first, which must be a reference or a range.
    First,
}

struct Spec {
    function: Function,
    name: &'static str,
    min: usize,
    max: Option<usize>,
    signature: &'static str,
    summary: &'static str,
    ranges: RangeArgs,
}

const fn spec(
    function: Function,
    name: &'static str,
    min: usize,
    max: Option<usize>,
    signature: &'static str,
    summary: &'static str,
    ranges: RangeArgs,
) -> Spec {
    Spec {
        function,
        name,
        min,
        max,
        signature,
        summary,
        ranges,
    }
}

use Function as F;
use RangeArgs::{All, First, From, None as NoRanges};

const ONE: Option<usize> = Some(1);
const TWO: Option<usize> = Some(2);
const THREE: Option<usize> = Some(3);
const FOUR: Option<usize> = Some(4);
const MANY: Option<usize> = None;

static SPECS: [Spec; 44] = [
    spec(
        F::Sum,
        "SUM",
        1,
        MANY,
        "SUM(value1, [value2, ...])",
        "adds numbers; in references and ranges only numbers count",
        All,
    ),
    spec(
        F::If,
        "IF",
        2,
        THREE,
        "IF(logical_expression, value_if_true, [value_if_false])",
        "one of two values; `FALSE` when the third is left out",
        NoRanges,
    ),
    spec(
        F::Ifs,
        "IFS",
        2,
        MANY,
        "IFS(condition1, value1, [condition2, value2, ...])",
        "the value of the first true condition; `#N/A` if none is",
        NoRanges,
    ),
    spec(
        F::IfError,
        "IFERROR",
        1,
        TWO,
        "IFERROR(value, [value_if_error])",
        "the value, or the second argument (blank if left out) when it is an error",
        NoRanges,
    ),
    spec(
        F::IfNa,
        "IFNA",
        2,
        TWO,
        "IFNA(value, value_if_na)",
        "the value, or the second argument when it is `#N/A`",
        NoRanges,
    ),
    spec(
        F::And,
        "AND",
        1,
        MANY,
        "AND(logical_expression1, [logical_expression2, ...])",
        "`TRUE` if every argument is true",
        All,
    ),
    spec(
        F::Or,
        "OR",
        1,
        MANY,
        "OR(logical_expression1, [logical_expression2, ...])",
        "`TRUE` if any argument is true",
        All,
    ),
    spec(
        F::Not,
        "NOT",
        1,
        ONE,
        "NOT(logical_expression)",
        "the opposite boolean",
        NoRanges,
    ),
    spec(
        F::Xor,
        "XOR",
        1,
        MANY,
        "XOR(logical_expression1, [logical_expression2, ...])",
        "`TRUE` if an odd number of arguments are true",
        All,
    ),
    spec(
        F::Switch,
        "SWITCH",
        3,
        MANY,
        "SWITCH(expression, case1, value1, [case2, value2, ...], [default])",
        "the value of the first case equal to the expression, else the default, else `#N/A`",
        NoRanges,
    ),
    spec(
        F::RegexMatch,
        "REGEXMATCH",
        2,
        TWO,
        "REGEXMATCH(text, regular_expression)",
        "whether the text matches the RE2 regular expression anywhere",
        NoRanges,
    ),
    spec(
        F::RegexExtract,
        "REGEXEXTRACT",
        2,
        TWO,
        "REGEXEXTRACT(text, regular_expression)",
        "the first match (or its first capture group); `#N/A` if none",
        NoRanges,
    ),
    spec(
        F::RegexReplace,
        "REGEXREPLACE",
        3,
        THREE,
        "REGEXREPLACE(text, regular_expression, replacement)",
        "replaces every match; `$1` in the replacement is the first capture group",
        NoRanges,
    ),
    spec(
        F::IsBlank,
        "ISBLANK",
        1,
        ONE,
        "ISBLANK(value)",
        "whether the value is an empty cell (`\"\"` is not blank)",
        NoRanges,
    ),
    spec(
        F::IsNumber,
        "ISNUMBER",
        1,
        ONE,
        "ISNUMBER(value)",
        "whether the value is a number (numeric text is not)",
        NoRanges,
    ),
    spec(
        F::IsText,
        "ISTEXT",
        1,
        ONE,
        "ISTEXT(value)",
        "whether the value is text",
        NoRanges,
    ),
    spec(
        F::IsError,
        "ISERROR",
        1,
        ONE,
        "ISERROR(value)",
        "whether the value is any error",
        NoRanges,
    ),
    spec(
        F::IsNa,
        "ISNA",
        1,
        ONE,
        "ISNA(value)",
        "whether the value is `#N/A`",
        NoRanges,
    ),
    spec(
        F::Len,
        "LEN",
        1,
        ONE,
        "LEN(text)",
        "the number of characters",
        NoRanges,
    ),
    spec(
        F::Lower,
        "LOWER",
        1,
        ONE,
        "LOWER(text)",
        "the text in lower case",
        NoRanges,
    ),
    spec(
        F::Upper,
        "UPPER",
        1,
        ONE,
        "UPPER(text)",
        "the text in upper case",
        NoRanges,
    ),
    spec(
        F::Trim,
        "TRIM",
        1,
        ONE,
        "TRIM(text)",
        "removes leading and trailing spaces and repeated inner spaces",
        NoRanges,
    ),
    spec(
        F::Value,
        "VALUE",
        1,
        ONE,
        "VALUE(text)",
        "the number that numeric text stands for",
        NoRanges,
    ),
    spec(
        F::Left,
        "LEFT",
        1,
        TWO,
        "LEFT(string, [number_of_characters])",
        "the first characters (one by default)",
        NoRanges,
    ),
    spec(
        F::Right,
        "RIGHT",
        1,
        TWO,
        "RIGHT(string, [number_of_characters])",
        "the last characters (one by default)",
        NoRanges,
    ),
    spec(
        F::Mid,
        "MID",
        3,
        THREE,
        "MID(string, starting_at, extract_length)",
        "characters from a position (1 is the first)",
        NoRanges,
    ),
    spec(
        F::Search,
        "SEARCH",
        2,
        THREE,
        "SEARCH(search_for, text_to_search, [starting_at])",
        "position of the text, ignoring case; `#VALUE!` if absent",
        NoRanges,
    ),
    spec(
        F::Find,
        "FIND",
        2,
        THREE,
        "FIND(search_for, text_to_search, [starting_at])",
        "position of the text, case-sensitive; `#VALUE!` if absent",
        NoRanges,
    ),
    spec(
        F::Substitute,
        "SUBSTITUTE",
        3,
        FOUR,
        "SUBSTITUTE(text_to_search, search_for, replace_with, [occurrence_number])",
        "replaces text (every occurrence, or only the given one), case-sensitive",
        NoRanges,
    ),
    spec(
        F::Concatenate,
        "CONCATENATE",
        1,
        MANY,
        "CONCATENATE(string1, [string2, ...])",
        "joins values as text",
        All,
    ),
    spec(
        F::TextJoin,
        "TEXTJOIN",
        3,
        MANY,
        "TEXTJOIN(delimiter, ignore_empty, text1, [text2, ...])",
        "joins values with a delimiter, optionally skipping empty ones",
        From(2),
    ),
    spec(
        F::Exact,
        "EXACT",
        2,
        TWO,
        "EXACT(string1, string2)",
        "whether two texts are identical, case included",
        NoRanges,
    ),
    spec(
        F::Max,
        "MAX",
        1,
        MANY,
        "MAX(value1, [value2, ...])",
        "the largest number (0 if none)",
        All,
    ),
    spec(
        F::Min,
        "MIN",
        1,
        MANY,
        "MIN(value1, [value2, ...])",
        "the smallest number (0 if none)",
        All,
    ),
    spec(
        F::Average,
        "AVERAGE",
        1,
        MANY,
        "AVERAGE(value1, [value2, ...])",
        "the mean of the numbers; `#DIV/0!` if none",
        All,
    ),
    spec(
        F::Count,
        "COUNT",
        1,
        MANY,
        "COUNT(value1, [value2, ...])",
        "how many numbers there are",
        All,
    ),
    spec(
        F::CountA,
        "COUNTA",
        1,
        MANY,
        "COUNTA(value1, [value2, ...])",
        "how many values are not blank",
        All,
    ),
    spec(
        F::CountIf,
        "COUNTIF",
        2,
        TWO,
        "COUNTIF(range, criterion)",
        "how many cells meet the criterion, e.g. `\">=4\"` or `\"*solved*\"`",
        First,
    ),
    spec(
        F::Abs,
        "ABS",
        1,
        ONE,
        "ABS(value)",
        "the absolute value",
        NoRanges,
    ),
    spec(
        F::Round,
        "ROUND",
        1,
        TWO,
        "ROUND(value, [places])",
        "rounds half away from zero",
        NoRanges,
    ),
    spec(
        F::RoundUp,
        "ROUNDUP",
        1,
        TWO,
        "ROUNDUP(value, [places])",
        "rounds away from zero",
        NoRanges,
    ),
    spec(
        F::RoundDown,
        "ROUNDDOWN",
        1,
        TWO,
        "ROUNDDOWN(value, [places])",
        "rounds towards zero",
        NoRanges,
    ),
    spec(
        F::Int,
        "INT",
        1,
        ONE,
        "INT(value)",
        "rounds down to an integer",
        NoRanges,
    ),
    spec(
        F::Mod,
        "MOD",
        2,
        TWO,
        "MOD(dividend, divisor)",
        "the remainder, with the divisor's sign",
        NoRanges,
    ),
];

/// Sheets functions that exist but that a score formula cannot use, so that naming one says
/// "not supported" rather than "unknown".
const SHEETS_ONLY: &[&str] = &[
    "ARRAYFORMULA",
    "AVERAGEIF",
    "AVERAGEIFS",
    "CEILING",
    "CHAR",
    "CODE",
    "COLUMN",
    "COLUMNS",
    "CONCAT",
    "COUNTBLANK",
    "COUNTIFS",
    "DATE",
    "DATEDIF",
    "DATEVALUE",
    "DAY",
    "DAYS",
    "EDATE",
    "EOMONTH",
    "ERROR.TYPE",
    "EXP",
    "FILTER",
    "FLOOR",
    "GOOGLEFINANCE",
    "GOOGLETRANSLATE",
    "HLOOKUP",
    "HOUR",
    "HYPERLINK",
    "IMAGE",
    "IMPORTRANGE",
    "INDEX",
    "INDIRECT",
    "ISEVEN",
    "ISLOGICAL",
    "ISODD",
    "ISREF",
    "JOIN",
    "LAMBDA",
    "LET",
    "LN",
    "LOG",
    "LOG10",
    "LOOKUP",
    "MATCH",
    "MAXIFS",
    "MEDIAN",
    "MINIFS",
    "MINUTE",
    "MONTH",
    "N",
    "NA",
    "NETWORKDAYS",
    "NOW",
    "OFFSET",
    "POWER",
    "PRODUCT",
    "PROPER",
    "QUERY",
    "RAND",
    "RANDBETWEEN",
    "RANK",
    "REPT",
    "ROW",
    "ROWS",
    "SECOND",
    "SORT",
    "SPLIT",
    "SQRT",
    "SUMIF",
    "SUMIFS",
    "SUMPRODUCT",
    "T",
    "TEXT",
    "TIME",
    "TO_TEXT",
    "TODAY",
    "UNIQUE",
    "VLOOKUP",
    "WEEKDAY",
    "WORKDAY",
    "XLOOKUP",
    "YEAR",
];

impl Function {
    fn spec(self) -> &'static Spec {
        // Every variant has exactly one entry, in declaration order.
        &SPECS[self as usize]
    }

    /// Every supported function, in the order of the reference docs.
    pub fn all() -> impl Iterator<Item = Function> {
        SPECS.iter().map(|s| s.function)
    }

    /// The function named `name` (any case).
    pub fn from_name(name: &str) -> Option<Function> {
        SPECS
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.function)
    }

    /// The canonical (upper-case) name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The signature as Sheets documents it, e.g. `IF(logical_expression, value_if_true, …)`.
    pub fn signature(self) -> &'static str {
        self.spec().signature
    }

    /// One line saying what the function returns.
    pub fn summary(self) -> &'static str {
        self.spec().summary
    }

    /// The fewest arguments the function takes.
    pub fn min_args(self) -> usize {
        self.spec().min
    }

    /// The most arguments the function takes, `None` if unlimited.
    pub fn max_args(self) -> Option<usize> {
        self.spec().max
    }

    pub(crate) fn ranges(self) -> RangeArgs {
        self.spec().ranges
    }

    /// Whether argument `index` may be a range.
    pub(crate) fn accepts_range(self, index: usize) -> bool {
        match self.ranges() {
            RangeArgs::None => false,
            RangeArgs::All => true,
            RangeArgs::From(i) => index >= i,
            RangeArgs::First => index == 0,
        }
    }

    /// Why `count` arguments are wrong for this function, if they are.
    pub(crate) fn arity_problem(self, count: usize) -> Option<String> {
        let s = self.spec();
        let expected = match s.max {
            Some(max) if max == s.min => {
                format!("{} argument{}", max, if max == 1 { "" } else { "s" })
            }
            Some(max) if max == s.min + 1 => format!("{} or {} arguments", s.min, max),
            Some(max) => format!("{} to {} arguments", s.min, max),
            None => format!(
                "at least {} argument{}",
                s.min,
                if s.min == 1 { "" } else { "s" }
            ),
        };
        let wrong_count = count < s.min || s.max.is_some_and(|m| count > m);
        let parity = match self {
            Function::Ifs if count % 2 == 1 && !wrong_count => {
                Some("conditions and values in pairs".to_owned())
            }
            _ => None,
        };
        if wrong_count {
            Some(format!(
                "`{}` takes {expected}, found {count}: `{}`",
                s.name, s.signature
            ))
        } else {
            parity.map(|p| {
                format!(
                    "`{}` takes {p}, found {count} arguments: `{}`",
                    s.name, s.signature
                )
            })
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The message for a call of an unknown function `name`.
pub(crate) fn unknown_function_message(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if SHEETS_ONLY.contains(&upper.as_str()) {
        return format!(
            "`{upper}` is a Sheets function that a score formula cannot use; supported functions: {}",
            supported_list()
        );
    }
    match suggestion(&upper) {
        Some(best) => format!("unknown function `{name}`: did you mean `{best}`?"),
        None => format!(
            "unknown function `{name}`; supported functions: {}",
            supported_list()
        ),
    }
}

/// The closest supported function name, if one is close enough to be a likely typo.
pub(crate) fn suggestion(upper: &str) -> Option<&'static str> {
    SPECS
        .iter()
        .map(|s| (strsim::damerau_levenshtein(upper, s.name), s.name))
        .filter(|(d, name)| *d <= 2 && *d < name.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

fn supported_list() -> String {
    let mut names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.join(", ")
}
