//! The usage chart: parts per day as an SVG bar chart, computed here and drawn by the template
//! (numbers only, so nothing a person typed reaches the SVG unescaped).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The y of the x axis.
    pub baseline: u32,
    pub bars: Vec<Bar>,
    /// The middle of today's slot, when today is on the chart.
    pub today: Option<u32>,
    pub first: String,
    pub last: String,
    pub max: String,
}

pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub title: String,
}

const SLOT: u32 = 20;
const HEIGHT: u32 = 120;

/// One bar per day of `days`, scaled to the busiest day; days without usage get no bar, so they
/// read as zero; `today` is marked.
pub fn parts_per_day(days: &[NaiveDate], usage: &[(NaiveDate, i64)], today: NaiveDate) -> Chart {
    let by_day: HashMap<NaiveDate, i64> = usage.iter().copied().collect();
    let max = days.iter().filter_map(|d| by_day.get(d)).copied().max().unwrap_or(0).max(0);
    let baseline = HEIGHT - 1;
    let bars = days
        .iter()
        .enumerate()
        .filter_map(|(i, day)| {
            let parts = *by_day.get(day)?;
            if parts <= 0 || max == 0 {
                return None;
            }
            // At least a pixel, so a small day is still visible next to a big one.
            let h = ((parts as f64 / max as f64) * f64::from(baseline - 4)).round().max(1.0) as u32;
            Some(Bar {
                x: i as u32 * SLOT + 2,
                y: baseline - h,
                w: SLOT - 4,
                h,
                title: format!("{day}: {} parts", ferrite_core::plan::thousands(parts)),
            })
        })
        .collect();
    let label = |d: Option<&NaiveDate>| d.map(|d| d.format("%-d %b").to_string()).unwrap_or_default();
    Chart {
        width: (days.len() as u32).max(1) * SLOT,
        height: HEIGHT,
        baseline,
        bars,
        today: days.iter().position(|d| *d == today).map(|i| i as u32 * SLOT + SLOT / 2),
        first: label(days.first()),
        last: label(days.last()),
        max: ferrite_core::plan::thousands(max),
    }
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
}
