//! The usage chart: parts per day as an SVG bar chart, computed here and drawn by the template
//! (numbers only, so nothing a person typed reaches the SVG unescaped).

use std::collections::HashMap;

use chrono::NaiveDate;

pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The y of the x axis.
    pub baseline: u32,
    pub bars: Vec<Bar>,
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

/// One bar per day of `days`, scaled to the busiest day; days without usage get no bar.
pub fn parts_per_day(days: &[NaiveDate], usage: &[(NaiveDate, i64)]) -> Chart {
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
        first: label(days.first()),
        last: label(days.last()),
        max: ferrite_core::plan::thousands(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_busiest_day() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let days: Vec<_> = (1..=5).map(day).collect();
        let chart = parts_per_day(&days, &[(day(2), 50), (day(4), 100), (day(9), 1_000)]);
        assert_eq!(chart.bars.len(), 2, "days outside the range are ignored");
        assert_eq!(chart.width, 100);
        assert_eq!(chart.max, "100");
        let (small, big) = (&chart.bars[0], &chart.bars[1]);
        assert!(big.h > small.h && big.h <= chart.baseline);
        assert_eq!(big.y + big.h, chart.baseline);
        assert_eq!(small.title, "2026-11-02: 50 parts");
        assert!(parts_per_day(&days, &[]).bars.is_empty());
    }
}
