//! Charts drawn on the server as inline SVG: the band mix per month (stacked bars), the mean
//! score per month (a line with the band thresholds), and the shadowing heatmap. Geometry is
//! computed here; the SVG text comes from auto-escaping templates under `templates/charts/`.
//! Colours come from CSS classes (`b-green`, …) so the palette lives in one place.

use askama::Template;
use serde::Serialize;

/// Responses per band in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BandCounts {
    /// Green (Good).
    pub green: u64,
    /// Yellow (Needs Improvement).
    pub yellow: u64,
    /// Red (Bad).
    pub red: u64,
    /// Error (could not be scored).
    pub error: u64,
}

impl From<supportops_ports::store::pages::BandTally> for BandCounts {
    fn from(t: supportops_ports::store::pages::BandTally) -> BandCounts {
        BandCounts {
            green: t.green,
            yellow: t.yellow,
            red: t.red,
            error: t.error,
        }
    }
}

impl BandCounts {
    /// All responses.
    pub fn total(&self) -> u64 {
        self.green + self.yellow + self.red + self.error
    }

    /// The counts with each band's CSS class and label, bottom of a stack first.
    fn parts(&self) -> [(&'static str, &'static str, u64); 4] {
        [
            ("b-green", "Good", self.green),
            ("b-yellow", "Needs Improvement", self.yellow),
            ("b-red", "Bad", self.red),
            ("b-error", "Error", self.error),
        ]
    }
}

/// Month names as the axis shows them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026-03` → (`Mar`, `Some("2026")` when the year should be shown under it).
fn month_label(month: &str, first: bool) -> (String, Option<String>) {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    let name = m
        .parse::<usize>()
        .ok()
        .and_then(|n| MONTHS.get(n.wrapping_sub(1)))
        .map(|s| (*s).to_owned())
        .unwrap_or_else(|| month.to_owned());
    let show_year = first || m == "01";
    (name, show_year.then(|| year.to_owned()))
}

/// A round axis maximum at or above `max`, and the step between its four gridlines.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (4.0, 1.0);
    }
    let raw_step = max / 4.0;
    let magnitude = 10f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * magnitude);
    let step = if step < 1.0 { 1.0 } else { step };
    (step * 4.0, step)
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 40.0;
/// The trend keeps room on the right for the threshold labels.
const TREND_RIGHT: f64 = 150.0;

/// A horizontal gridline with its label.
#[derive(Debug)]
struct Tick {
    y: f64,
    label: String,
}

/// One coloured part of a bar.
#[derive(Debug)]
struct Segment {
    y: f64,
    h: f64,
    class: &'static str,
}

/// One month's bar.
#[derive(Debug)]
struct Bar {
    x: f64,
    w: f64,
    cx: f64,
    top: f64,
    total: u64,
    label: String,
    year: Option<String>,
    title: String,
    month: String,
    segments: Vec<Segment>,
}

/// One month of the band-mix chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthMix {
    /// `YYYY-MM`.
    pub month: String,
    /// Responses per band.
    pub bands: BandCounts,
}

#[derive(Template)]
#[template(path = "charts/band_mix.svg")]
struct BandMixSvg {
    width: f64,
    height: f64,
    left: f64,
    right_edge: f64,
    baseline: f64,
    ticks: Vec<Tick>,
    bars: Vec<Bar>,
    summary: String,
}

/// The band mix per month as stacked bars, Good at the bottom.
pub fn band_mix(months: &[MonthMix]) -> Result<String, askama::Error> {
    let max = months.iter().map(|m| m.bands.total()).max().unwrap_or(0) as f64;
    let (axis_max, step) = nice_scale(max);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT;
    let scale = plot_h / axis_max;
    let baseline = HEIGHT - BOTTOM;
    let ticks = (0..=4)
        .map(|i| {
            let v = step * f64::from(i);
            Tick {
                y: baseline - v * scale,
                label: fmt_num(v),
            }
        })
        .collect();
    let slot = plot_w / months.len().max(1) as f64;
    let bar_w = (slot * 0.7).min(48.0);
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let cx = LEFT + slot * (i as f64 + 0.5);
            let mut y = baseline;
            let mut segments = Vec::new();
            for (class, _, n) in m.bands.parts() {
                if n == 0 {
                    continue;
                }
                let h = n as f64 * scale;
                y -= h;
                segments.push(Segment { y, h, class });
            }
            let (label, year) = month_label(&m.month, i == 0);
            let title = format!(
                "{}: {} responses, {}",
                m.month,
                m.bands.total(),
                m.bands
                    .parts()
                    .iter()
                    .map(|(_, name, n)| format!("{n} {name}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Bar {
                x: cx - bar_w / 2.0,
                w: bar_w,
                cx,
                top: y,
                total: m.bands.total(),
                label,
                year,
                title,
                month: m.month.clone(),
                segments,
            }
        })
        .collect();
    let total: u64 = months.iter().map(|m| m.bands.total()).sum();
    let summary = format!(
        "Band mix per month: {total} responses over {} months",
        months.len()
    );
    BandMixSvg {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right_edge: WIDTH - RIGHT,
        baseline,
        ticks,
        bars,
        summary,
    }
    .render()
}

/// One month of the score trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// The mean numeric score, `None` when no response of the month has one.
    pub mean: Option<f64>,
    /// Responses with a numeric score.
    pub scored: u64,
}

/// Months with fewer scored responses than this are drawn hollow and labelled with their
/// count: one response can drag a month's mean anywhere.
pub const MIN_MONTH_RESPONSES: u64 = 5;

/// A point of the trend line.
#[derive(Debug)]
struct Dot {
    x: f64,
    y: f64,
    label: String,
    title: String,
    month: String,
    scored: u64,
    /// Fewer than [`MIN_MONTH_RESPONSES`] responses.
    low: bool,
}

/// An x-axis label.
#[derive(Debug)]
struct XLabel {
    x: f64,
    label: String,
    year: Option<String>,
}

/// A dashed threshold line.
#[derive(Debug)]
struct Threshold {
    y: f64,
    label: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "charts/trend.svg")]
struct TrendSvg {
    width: f64,
    height: f64,
    left: f64,
    right_edge: f64,
    baseline: f64,
    ticks: Vec<Tick>,
    thresholds: Vec<Threshold>,
    path: String,
    dots: Vec<Dot>,
    xlabels: Vec<XLabel>,
    summary: String,
}

/// The mean score per month as a line, with the Green and Yellow thresholds drawn across.
pub fn score_trend(
    points: &[TrendPoint],
    thresholds: supportops_domain::BandThresholds,
) -> Result<String, askama::Error> {
    let means: Vec<f64> = points.iter().filter_map(|p| p.mean).collect();
    let lo = means
        .iter()
        .copied()
        .chain([thresholds.yellow - 1.0, -1.0])
        .fold(f64::INFINITY, f64::min)
        .floor();
    let hi = means
        .iter()
        .copied()
        .chain([thresholds.green + 1.0])
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil();
    let span = (hi - lo).max(1.0);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let plot_w = WIDTH - LEFT - TREND_RIGHT;
    let baseline = HEIGHT - BOTTOM;
    let y_of = |v: f64| baseline - (v - lo) / span * plot_h;
    let step = if span > 8.0 { (span / 4.0).ceil() } else { 1.0 };
    let mut ticks = Vec::new();
    let mut v = lo;
    while v <= hi + 1e-9 {
        ticks.push(Tick {
            y: y_of(v),
            label: fmt_num(v),
        });
        v += step;
    }
    let slot = plot_w / points.len().max(1) as f64;
    let mut path = String::new();
    let mut dots = Vec::new();
    let mut xlabels = Vec::new();
    let mut pen_down = false;
    for (i, p) in points.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let (label, year) = month_label(&p.month, i == 0);
        xlabels.push(XLabel { x, label, year });
        match p.mean {
            Some(m) => {
                let y = y_of(m);
                path.push_str(&format!(
                    "{}{x:.1},{y:.1} ",
                    if pen_down { "L" } else { "M" }
                ));
                pen_down = true;
                let low = p.scored < MIN_MONTH_RESPONSES;
                let label = if low {
                    format!("{m:.2} (n={})", p.scored)
                } else {
                    format!("{m:.2}")
                };
                let mut title = format!(
                    "{}: mean score {m:.2} over {} {}",
                    p.month,
                    p.scored,
                    if p.scored == 1 {
                        "response"
                    } else {
                        "responses"
                    }
                );
                if low {
                    title.push_str(&format!(
                        " (fewer than {MIN_MONTH_RESPONSES}: one response moves the mean)"
                    ));
                }
                dots.push(Dot {
                    x,
                    y,
                    label,
                    title,
                    month: p.month.clone(),
                    scored: p.scored,
                    low,
                });
            }
            None => pen_down = false,
        }
    }
    let thresholds = vec![
        Threshold {
            y: y_of(thresholds.green),
            label: format!("Good ≥ {}", fmt_num(thresholds.green)),
            class: "t-green",
        },
        Threshold {
            y: y_of(thresholds.yellow),
            label: format!("Needs Improvement ≥ {}", fmt_num(thresholds.yellow)),
            class: "t-yellow",
        },
    ];
    let few = dots.iter().filter(|d| d.low).count();
    let summary = if few == 0 {
        format!("Mean score per month over {} months", points.len())
    } else {
        format!(
            "Mean score per month over {} months; {few} with fewer than {MIN_MONTH_RESPONSES} \
             responses drawn hollow",
            points.len()
        )
    };
    TrendSvg {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right_edge: WIDTH - TREND_RIGHT,
        baseline,
        ticks,
        thresholds,
        path: path.trim_end().to_owned(),
        dots,
        xlabels,
        summary,
    }
    .render()
}

/// One row of the heatmap (a region).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatRow {
    /// The row's name, e.g. `AMER`.
    pub name: String,
    /// One value per column (sessions done that month).
    pub values: Vec<u32>,
    /// Sessions planned or scheduled, per column (drawn as `+N`).
    pub arranged: Vec<u32>,
}

/// A cell of the heatmap.
#[derive(Debug)]
struct HeatCell {
    x: f64,
    y: f64,
    value: u32,
    arranged: u32,
    level: u8,
    title: String,
}

/// A column header of the heatmap.
#[derive(Debug)]
struct HeatColumn {
    cx: f64,
    label: String,
    year: Option<String>,
}

#[derive(Template)]
#[template(path = "charts/heatmap.svg")]
struct HeatmapSvg {
    width: f64,
    height: f64,
    cell_w: f64,
    cell_h: f64,
    columns: Vec<HeatColumn>,
    rows: Vec<(f64, String)>,
    cells: Vec<HeatCell>,
    summary: String,
}

/// A rows × months heatmap of counts. `per_month_target` is the monthly pace that meets the
/// period's target: cells at or above it are drawn darkest.
pub fn heatmap(
    months: &[String],
    rows: &[HeatRow],
    per_month_target: f64,
) -> Result<String, askama::Error> {
    let label_w = 64.0;
    let cell_w = ((WIDTH - label_w - 8.0) / months.len().max(1) as f64).min(64.0);
    let cell_h = 34.0;
    let head = 36.0;
    let columns = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (label, year) = month_label(m, i == 0);
            HeatColumn {
                cx: label_w + cell_w * (i as f64 + 0.5),
                label,
                year,
            }
        })
        .collect();
    let mut cells = Vec::new();
    let mut row_labels = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let y = head + cell_h * r as f64;
        row_labels.push((y + cell_h / 2.0, row.name.clone()));
        for (c, value) in row.values.iter().enumerate() {
            let level = if *value == 0 {
                0
            } else if f64::from(*value) < per_month_target {
                1
            } else if f64::from(*value) < per_month_target * 2.0 {
                2
            } else {
                3
            };
            let month = months.get(c).map(String::as_str).unwrap_or("");
            let arranged = row.arranged.get(c).copied().unwrap_or(0);
            let mut title = format!(
                "{}, {month}: {value} session{} done",
                row.name,
                if *value == 1 { "" } else { "s" }
            );
            if arranged > 0 {
                title.push_str(&format!(", {arranged} planned or scheduled"));
            }
            cells.push(HeatCell {
                x: label_w + cell_w * c as f64,
                y,
                value: *value,
                arranged,
                level,
                title,
            });
        }
    }
    let width = label_w + cell_w * months.len() as f64 + 8.0;
    let height = head + cell_h * rows.len() as f64 + 4.0;
    HeatmapSvg {
        width,
        height,
        cell_w,
        cell_h,
        columns,
        rows: row_labels,
        cells,
        summary: format!(
            "Shadowing sessions done per region and month, {} regions",
            rows.len()
        ),
    }
    .render()
}

// ---------------------------------------------------------------------------------------------
// Formula-change marks (`formula_marks`) need the month slots of the two monthly charts.

/// The two monthly charts marks are drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyChart {
    /// [`band_mix`].
    BandMix,
    /// [`score_trend`].
    Trend,
}

/// Where month `i` of `n` starts on a monthly chart's x axis, and the plot's top and baseline.
pub fn month_slot_start(chart: MonthlyChart, i: usize, n: usize) -> (f64, f64, f64) {
    let right = match chart {
        MonthlyChart::BandMix => RIGHT,
        MonthlyChart::Trend => TREND_RIGHT,
    };
    let slot = (WIDTH - LEFT - right) / n.max(1) as f64;
    (LEFT + slot * i as f64, TOP, HEIGHT - BOTTOM)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    /// Snapshots live with the integration tests' snapshots, under `tests/snapshots`.
    fn snapshot(name: &str, svg: &str) {
        insta::with_settings!({snapshot_path => "../tests/snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, svg);
        });
    }

    fn mix(month: &str, g: u64, y: u64, r: u64, e: u64) -> MonthMix {
        MonthMix {
            month: month.into(),
            bands: BandCounts {
                green: g,
                yellow: y,
                red: r,
                error: e,
            },
        }
    }

    #[test]
    fn axis_maximum_is_round_and_covers_the_data() {
        assert_eq!(nice_scale(0.0), (4.0, 1.0));
        assert_eq!(nice_scale(3.0), (4.0, 1.0));
        assert_eq!(nice_scale(17.0), (20.0, 5.0));
        assert_eq!(nice_scale(31.0), (40.0, 10.0));
        assert_eq!(nice_scale(101.0), (200.0, 50.0));
    }

    #[test]
    fn stacked_bars_carry_labels_and_counts() {
        let svg = band_mix(&[mix("2025-12", 3, 1, 1, 0), mix("2026-01", 5, 0, 2, 1)]).unwrap();
        snapshot("chart_band_mix", &svg);
    }

    #[test]
    fn a_month_with_few_responses_is_drawn_hollow_with_its_count() {
        let svg = score_trend(
            &[
                TrendPoint {
                    month: "2026-10".into(),
                    mean: Some(1.2),
                    scored: 25,
                },
                TrendPoint {
                    month: "2026-11".into(),
                    mean: Some(-1.0),
                    scored: 1,
                },
            ],
            supportops_domain::BandThresholds::default(),
        )
        .unwrap();
        assert!(
            svg.contains(r#"<g class="dot" data-month="2026-10" data-scored="25"><title>2026-10: mean score 1.20 over 25 responses</title>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<g class="dot low" data-month="2026-11" data-scored="1"><title>2026-11: mean score -1.00 over 1 response (fewer than 5: one response moves the mean)</title>"#),
            "{svg}"
        );
        assert!(svg.contains(">-1.00 (n=1)</text>"), "{svg}");
        assert!(
            svg.contains("1 with fewer than 5 responses drawn hollow"),
            "{svg}"
        );
    }

    #[test]
    fn trend_breaks_the_line_over_empty_months() {
        let svg = score_trend(
            &[
                TrendPoint {
                    month: "2026-01".into(),
                    mean: Some(1.5),
                    scored: 4,
                },
                TrendPoint {
                    month: "2026-02".into(),
                    mean: None,
                    scored: 0,
                },
                TrendPoint {
                    month: "2026-03".into(),
                    mean: Some(2.25),
                    scored: 4,
                },
            ],
            supportops_domain::BandThresholds::default(),
        )
        .unwrap();
        // The empty month lifts the pen: two moves, no line drawn across the gap.
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert!(!d.contains('L'), "{d}");
        snapshot("chart_score_trend", &svg);
    }

    #[test]
    fn heatmap_escapes_region_names_and_levels_cells_against_the_pace() {
        let svg = heatmap(
            &["2026-10".into(), "2026-11".into()],
            &[HeatRow {
                name: "<AMER>".into(),
                values: vec![0, 2],
                arranged: vec![1, 0],
            }],
            1.0,
        )
        .unwrap();
        assert!(svg.contains("&#60;AMER&#62;"), "{svg}");
        assert!(!svg.contains("<AMER>"), "{svg}");
        assert!(svg.contains("class=\"h0\""), "{svg}");
        assert!(svg.contains("class=\"h3\""), "{svg}");
        assert!(
            svg.contains("<text class=\"more\""),
            "planned sessions are marked: {svg}"
        );
        assert!(
            svg.contains("0 sessions done, 1 planned or scheduled"),
            "{svg}"
        );
    }
}
