//! The usage chart: parts per day as an SVG bar chart with its axes, computed here and drawn by
//! the template (numbers only, so nothing a person typed reaches the SVG unescaped).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use ferrite_core::plan::thousands;

pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The y of the x axis.
    pub baseline: u32,
    pub bars: Vec<Bar>,
    /// The middle of today's slot, when today is on the chart.
    pub today: Option<u32>,
    /// The y axis, bottom up: 0, half way and the top, each a gridline with its label.
    pub ticks: Vec<Tick>,
    /// The x axis: the first day, today and the last day, where they fall.
    pub days: Vec<DayLabel>,
    /// The busiest day's parts.
    pub max: String,
}

pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub title: String,
}

/// A gridline at `y` (SVG units), labelled beside the chart at `top` percent of its height.
pub struct Tick {
    pub y: u32,
    pub top: String,
    pub label: String,
}

/// A day named under the chart at `left` percent of its width, aligned `start`, `middle` or `end`
/// so that the first and last stay inside it.
pub struct DayLabel {
    pub left: String,
    pub align: &'static str,
    pub label: String,
    pub today: bool,
}

const SLOT: u32 = 20;
const HEIGHT: u32 = 120;
/// Room above the top gridline, so that its line and the tallest bar stay clear of the edge.
const HEADROOM: u32 = 4;
/// Days within this many slots of today are not named beside it: the labels would overlap.
const LABEL_GAP: usize = 3;

/// One bar per day of `days`, on a y axis from 0 to [`nice_top`] of the busiest day; days without
/// usage get no bar, so they read as zero; `today` is marked and named.
pub fn parts_per_day(days: &[NaiveDate], usage: &[(NaiveDate, i64)], today: NaiveDate) -> Chart {
    let by_day: HashMap<NaiveDate, i64> = usage.iter().copied().collect();
    let max = days.iter().filter_map(|d| by_day.get(d)).copied().max().unwrap_or(0).max(0);
    let top = nice_top(max);
    let baseline = HEIGHT - 1;
    let span = f64::from(baseline - HEADROOM);
    let y_of = |parts: i64| baseline - ((parts as f64 / top as f64) * span).round() as u32;
    let bars = days
        .iter()
        .enumerate()
        .filter_map(|(i, day)| {
            let parts = *by_day.get(day)?;
            if parts <= 0 {
                return None;
            }
            // At least a pixel, so a small day is still visible next to a big one.
            let h = (baseline - y_of(parts)).max(1);
            Some(Bar {
                x: i as u32 * SLOT + 2,
                y: baseline - h,
                w: SLOT - 4,
                h,
                title: format!("{day}: {} parts", thousands(parts)),
            })
        })
        .collect();
    let ticks = [0, top / 2, top]
        .into_iter()
        .map(|parts| {
            let y = y_of(parts);
            Tick { y, top: format!("{:.1}", f64::from(y) / f64::from(HEIGHT) * 100.0), label: thousands(parts) }
        })
        .collect();
    let today_at = days.iter().position(|d| *d == today);
    Chart {
        width: (days.len() as u32).max(1) * SLOT,
        height: HEIGHT,
        baseline,
        bars,
        today: today_at.map(|i| i as u32 * SLOT + SLOT / 2),
        ticks,
        days: day_labels(days, today_at),
        max: thousands(max),
    }
}

/// The top of a y axis that holds `max`: the smallest of 2, 4, 6, 8, 10, 20, 40, … that does, so
/// that the axis reads in round numbers and its half way is a whole one.
pub fn nice_top(max: i64) -> i64 {
    let mut scale = 1_i64;
    loop {
        for mantissa in [2_i64, 4, 6, 8, 10] {
            let top = mantissa.saturating_mul(scale);
            if top >= max {
                return top;
            }
        }
        scale = scale.saturating_mul(10);
    }
}

fn day_labels(days: &[NaiveDate], today_at: Option<usize>) -> Vec<DayLabel> {
    let n = days.len();
    if n == 0 {
        return Vec::new();
    }
    let label = |i: usize, align, today| DayLabel {
        left: format!("{:.1}", (i as f64 + 0.5) / n as f64 * 100.0),
        align,
        label: if today { format!("{} (today)", short(&days[i])) } else { short(&days[i]) },
        today,
    };
    let near_today = |i: usize| today_at.is_some_and(|t| t != i && t.abs_diff(i) <= LABEL_GAP);
    let mut labels = Vec::new();
    if !near_today(0) {
        labels.push(label(0, "start", today_at == Some(0)));
    }
    if let Some(t) = today_at.filter(|t| *t != 0 && *t != n - 1) {
        labels.push(label(t, "middle", true));
    }
    if n > 1 && !near_today(n - 1) {
        labels.push(label(n - 1, "end", today_at == Some(n - 1)));
    }
    labels
}

/// `15 Nov`
fn short(day: &NaiveDate) -> String {
    day.format("%-d %b").to_string()
}

/// A value over time as a step line (a stock level holds until the next import changes it).
pub struct Line {
    pub width: u32,
    pub height: u32,
    pub baseline: u32,
    /// The `points` attribute of an SVG polyline.
    pub points: String,
    pub first: String,
    pub last: String,
    pub max: String,
}

const LINE_WIDTH: u32 = 240;
const LINE_HEIGHT: u32 = 60;

/// `values` (oldest first, with when each was recorded) until `now`, scaled to the largest; the
/// x axis is time, so a long quiet stretch reads as one. `shown` writes a value for a label.
pub fn history(values: &[(DateTime<Utc>, f64)], now: DateTime<Utc>, shown: impl Fn(f64) -> String) -> Line {
    let baseline = LINE_HEIGHT - 1;
    let max = values.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let (start, end) = (values.first().map_or(now, |(at, _)| *at), now);
    let span = (end - start).num_seconds().max(1) as f64;
    let x = |at: DateTime<Utc>| ((at - start).num_seconds() as f64 / span * f64::from(LINE_WIDTH)).round() as u32;
    let y = |v: f64| if max > 0.0 { baseline - (v / max * f64::from(baseline - 2)).round() as u32 } else { baseline };
    let mut points = Vec::new();
    for (i, (at, value)) in values.iter().enumerate() {
        if i > 0 {
            // The step: the previous value held until this one was recorded.
            points.push(format!("{},{}", x(*at), y(values[i - 1].1)));
        }
        points.push(format!("{},{}", x(*at), y(*value)));
    }
    if let Some((_, value)) = values.last() {
        points.push(format!("{},{}", LINE_WIDTH, y(*value)));
    }
    let label = |at: DateTime<Utc>| at.format("%-d %b %Y").to_string();
    Line {
        width: LINE_WIDTH,
        height: LINE_HEIGHT,
        baseline,
        points: points.join(" "),
        first: label(start),
        last: label(end),
        max: shown(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_steps_from_each_value_to_the_next_until_now() {
        let at = |day| DateTime::parse_from_rfc3339(&format!("2026-11-{day:02}T00:00:00Z")).unwrap().to_utc();
        let line = history(&[(at(1), 100.0), (at(3), 50.0)], at(5), |v| format!("{v}"));
        // x: day 1 at 0, day 3 half way, now at the end; y: 100 at the top, 50 half way.
        assert_eq!(line.points, "0,2 120,2 120,30 240,30");
        assert_eq!((line.first.as_str(), line.last.as_str(), line.max.as_str()), ("1 Nov 2026", "5 Nov 2026", "100"));
        assert_eq!(history(&[], at(5), |v| format!("{v}")).points, "");
    }

    #[test]
    fn bars_scale_to_the_busiest_day() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let days: Vec<_> = (1..=5).map(day).collect();
        let chart = parts_per_day(&days, &[(day(2), 50), (day(4), 100), (day(9), 1_000)], day(3));
        assert_eq!(chart.bars.len(), 2, "days outside the range are ignored");
        assert_eq!(chart.width, 100);
        assert_eq!(chart.max, "100");
        let (small, big) = (&chart.bars[0], &chart.bars[1]);
        assert!(big.h > small.h && big.h <= chart.baseline);
        assert_eq!(big.y + big.h, chart.baseline);
        assert_eq!(small.title, "2026-11-02: 50 parts");
        assert_eq!(chart.today, Some(50), "the middle of the third slot");
        assert!(parts_per_day(&days, &[], day(9)).bars.is_empty());
        assert_eq!(parts_per_day(&days, &[], day(9)).today, None);
    }

    #[test]
    fn the_y_axis_tops_out_at_a_round_number_with_a_whole_half() {
        let tops: Vec<_> = [0, 1, 2, 3, 7, 9, 10, 11, 45, 100, 101, 345, 999, 1_001, 250_000].map(nice_top).into();
        assert_eq!(tops, [2, 2, 2, 4, 8, 10, 10, 20, 60, 100, 200, 400, 1_000, 2_000, 400_000]);
        assert_eq!(nice_top(i64::MAX), i64::MAX, "saturates rather than overflows");

        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let days: Vec<_> = (1..=30).map(day).collect();
        let chart = parts_per_day(&days, &[(day(2), 345)], day(15));
        let labels: Vec<_> = chart.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "200", "400"]);
        let (zero, half, top) = (&chart.ticks[0], &chart.ticks[1], &chart.ticks[2]);
        assert_eq!((zero.y, top.y), (chart.baseline, HEADROOM));
        assert_eq!(half.y, chart.baseline - 58, "half of the 115 units between them, rounded");
        assert_eq!(zero.top, "99.2");
        // 345 of 400 is 86 % of the axis.
        assert_eq!(chart.bars[0].h, (345.0_f64 / 400.0 * f64::from(chart.baseline - HEADROOM)).round() as u32);
        let empty = parts_per_day(&days, &[], day(15));
        assert_eq!(empty.ticks.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["0", "1", "2"]);
    }

    #[test]
    fn the_x_axis_names_the_first_and_last_day_and_today() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let days: Vec<_> = (1..=30).map(day).collect();
        let named = |today| {
            parts_per_day(&days, &[], day(today))
                .days
                .iter()
                .map(|d| (d.label.clone(), d.align, d.today))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            named(15),
            [
                ("1 Nov".to_owned(), "start", false),
                ("15 Nov (today)".to_owned(), "middle", true),
                ("30 Nov".to_owned(), "end", false)
            ]
        );
        assert_eq!(parts_per_day(&days, &[], day(15)).days[1].left, "48.3", "the middle of the 15th slot");
        assert_eq!(named(1), [("1 Nov (today)".to_owned(), "start", true), ("30 Nov".to_owned(), "end", false)]);
        assert_eq!(
            named(2),
            [("2 Nov (today)".to_owned(), "middle", true), ("30 Nov".to_owned(), "end", false)],
            "a first day next to today would overlap its label"
        );
        assert_eq!(named(30), [("1 Nov".to_owned(), "start", false), ("30 Nov (today)".to_owned(), "end", true)]);
        let december = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(named_outside(&days, december), ["1 Nov", "30 Nov"], "today after the chart");
        assert!(parts_per_day(&[], &[], day(1)).days.is_empty());
    }

    fn named_outside(days: &[NaiveDate], today: NaiveDate) -> Vec<String> {
        parts_per_day(days, &[], today).days.into_iter().map(|d| d.label).collect()
    }
}
