//! The charts (SVG, drawn by plotters) and the self-contained HTML page of a scenario.
//!
//! Each variant gets one figure of three panels on a shared time axis: the backend's health and
//! the breaker's state as bands, the calls that reached the backend per second, and what the
//! callers got per second. A scenario's page adds one chart of every variant's backend calls.

use std::error::Error;
use std::fmt::Write;
use std::time::Duration;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::scenarios::{Report, VariantRun};
use crate::sim::{Outcome, Phase, SAMPLE, Script};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const CLOSED: RGBColor = RGBColor(46, 139, 87);
const OPEN: RGBColor = RGBColor(200, 40, 40);
const HALF_OPEN: RGBColor = RGBColor(235, 160, 0);
const NO_BREAKER: RGBColor = RGBColor(190, 190, 190);
const UP: RGBColor = RGBColor(170, 215, 170);
const DOWN: RGBColor = RGBColor(90, 20, 20);
const OK: RGBColor = RGBColor(46, 139, 87);
const FAILED: RGBColor = RGBColor(200, 40, 40);
const FAST_FAILED: RGBColor = RGBColor(235, 160, 0);
const CALLS: RGBColor = RGBColor(40, 80, 170);
/// One colour per variant in the comparison chart.
const PALETTE: [RGBColor; 6] = [
    RGBColor(120, 120, 120),
    RGBColor(200, 40, 40),
    RGBColor(40, 80, 170),
    RGBColor(235, 140, 0),
    RGBColor(46, 139, 87),
    RGBColor(140, 60, 160),
];
const FONT: &str = "sans-serif";
const WIDTH: u32 = 1000;
const LABELS: u32 = 120;

fn phase_color(phase: Phase) -> RGBColor {
    match phase {
        Phase::Closed => CLOSED,
        Phase::Open => OPEN,
        Phase::HalfOpen => HALF_OPEN,
        Phase::None => NO_BREAKER,
    }
}

/// A per-second series as a step line: each second's value held across the second.
fn steps(values: impl Iterator<Item = u32>) -> Vec<(f64, f64)> {
    values
        .enumerate()
        .flat_map(|(s, v)| [(s as f64, f64::from(v)), (s as f64 + 1.0, f64::from(v))])
        .collect()
}

fn max_of(values: impl Iterator<Item = u32>) -> f64 {
    (values.max().unwrap_or(0).max(1) as f64 * 1.15).ceil()
}

/// Shades the stretches where the backend is down.
fn shade_down<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    script: &Script,
    end: Duration,
    top: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .draw_series(script.down_periods(end).into_iter().map(|(from, until)| {
            Rectangle::new(
                [(from.as_secs_f64(), 0.0), (until.as_secs_f64(), top)],
                RGBColor(250, 225, 225).filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The bands: the backend's health (top row) and the breaker's state (bottom row).
fn bands<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    run: &VariantRun,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let end = report.duration.as_secs_f64();
    let mut chart = ChartBuilder::on(area)
        .margin_right(20)
        .margin_top(28)
        .y_label_area_size(LABELS)
        .x_label_area_size(0)
        .build_cartesian_2d(0f64..end, 0f64..2f64)
        .map_err(|e| e.to_string())?;
    let mut health = Vec::new();
    let mut at = Duration::ZERO;
    for (from, until) in report.watched.down_periods(report.duration) {
        health.push((at, from, UP));
        health.push((from, until, DOWN));
        at = until;
    }
    health.push((at, report.duration, UP));
    chart
        .draw_series(
            health
                .into_iter()
                .filter(|(a, b, _)| a < b)
                .map(|(a, b, c)| {
                    Rectangle::new([(a.as_secs_f64(), 1.1), (b.as_secs_f64(), 1.9)], c.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    let step = SAMPLE.as_secs_f64();
    let samples = &run.record.samples;
    let mut segments: Vec<(f64, f64, Phase)> = Vec::new();
    for (ms, sample) in samples {
        let t = *ms as f64 / 1000.0;
        match segments.last_mut() {
            Some(last) if last.2 == sample.phase => last.1 = t + step,
            _ => segments.push((t, t + step, sample.phase)),
        }
    }
    chart
        .draw_series(segments.into_iter().map(|(a, b, phase)| {
            Rectangle::new([(a, 0.1), (b.min(end), 0.9)], phase_color(phase).filled())
        }))
        .map_err(|e| e.to_string())?;
    let text = (FONT, 14).into_font();
    let plot_top = 28;
    let row = (area.dim_in_pixel().1 as i32 - plot_top) / 2;
    area.draw(&Text::new(
        "backend",
        (8, plot_top + row / 2 - 7),
        text.clone(),
    ))
    .map_err(|e| e.to_string())?;
    area.draw(&Text::new(
        "breaker",
        (8, plot_top + row + row / 2 - 7),
        text.clone(),
    ))
    .map_err(|e| e.to_string())?;
    // The legend, on the caption line.
    let title = format!("{}:", run.name);
    area.draw(&Text::new(title, (8, 6), (FONT, 16).into_font()))
        .map_err(|e| e.to_string())?;
    let mut x = 420;
    for (label, color) in [
        ("backend up", UP),
        ("down", DOWN),
        ("closed", CLOSED),
        ("open", OPEN),
        ("half-open", HALF_OPEN),
        ("no breaker", NO_BREAKER),
    ] {
        area.draw(&Rectangle::new([(x, 8), (x + 14, 20)], color.filled()))
            .map_err(|e| e.to_string())?;
        area.draw(&Text::new(label, (x + 18, 7), text.clone()))
            .map_err(|e| e.to_string())?;
        x += 26 + 8 * label.len() as i32;
    }
    Ok(())
}

/// Backend calls per second, with the backend's outage shaded.
fn calls<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    run: &VariantRun,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let per_second = run.record.calls_per_second();
    let top = max_of(per_second.iter().copied());
    let mut chart = ChartBuilder::on(area)
        .margin_right(20)
        .margin_top(10)
        .y_label_area_size(LABELS)
        .x_label_area_size(24)
        .build_cartesian_2d(0f64..report.duration.as_secs_f64(), 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .y_desc("backend calls/s")
        .x_labels(9)
        .y_labels(5)
        .label_style((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())?;
    shade_down(&mut chart, &report.watched, report.duration, top)?;
    chart
        .draw_series(LineSeries::new(
            steps(per_second.into_iter()),
            CALLS.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// What the callers got per second.
fn outcomes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    run: &VariantRun,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let record = &run.record;
    let top = max_of(record.outcomes.iter().flat_map(|o| o.iter().copied()));
    let mut chart = ChartBuilder::on(area)
        .margin_right(20)
        .margin_top(10)
        .y_label_area_size(LABELS)
        .x_label_area_size(36)
        .build_cartesian_2d(0f64..report.duration.as_secs_f64(), 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .y_desc("caller outcomes/s")
        .x_desc("seconds (paused clock)")
        .x_labels(9)
        .y_labels(5)
        .label_style((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())?;
    shade_down(&mut chart, &report.watched, report.duration, top)?;
    for (outcome, label, color) in [
        (Outcome::Ok, "ok", OK),
        (Outcome::Failed, "failed", FAILED),
        (Outcome::FastFailed, "fast-failed", FAST_FAILED),
    ] {
        chart
            .draw_series(LineSeries::new(
                steps(record.outcomes.iter().map(|o| o[outcome as usize])),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One variant's figure: bands, backend calls, caller outcomes.
pub fn variant(report: &Report, run: &VariantRun) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 470)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, rest) = root.split_vertically(100);
        let (middle, bottom) = rest.split_vertically(170);
        bands(&top, report, run)?;
        calls(&middle, report, run)?;
        outcomes(&bottom, report, run)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Every variant's backend calls per second on one chart.
pub fn comparison(report: &Report) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let series: Vec<Vec<u32>> = report
            .runs
            .iter()
            .map(|r| r.record.calls_per_second())
            .collect();
        let top = max_of(series.iter().flatten().copied());
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Backend calls per second (the backend is down in the shaded stretch)",
                (FONT, 17),
            )
            .margin(10)
            .margin_right(20)
            .y_label_area_size(70)
            .x_label_area_size(40)
            .build_cartesian_2d(0f64..report.duration.as_secs_f64(), 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .light_line_style(TRANSPARENT)
            .y_desc("backend calls/s")
            .x_desc("seconds (paused clock)")
            .x_labels(9)
            .label_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        shade_down(&mut chart, &report.watched, report.duration, top)?;
        for (i, (run, values)) in report.runs.iter().zip(series).enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    steps(values.into_iter()),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(run.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// An SVG to put inside HTML: no XML prolog, no namespace declarations (an inline `<svg>`
/// needs none, and the page then holds no URL at all).
pub fn inline(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut svg = svg[start..].to_owned();
    for attribute in [
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
    ] {
        svg = svg.replace(attribute, "");
    }
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escaped prose whose `backticked` words are set as code.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// The scenario's page: its description, the table, the charts. Self-contained: no script,
/// no stylesheet or font from elsewhere, no URL.
pub fn page(report: &Report) -> Result<String> {
    let scenario = report.scenario;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Breaker lab: {name}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2rem auto; max-width: 1040px; color: #222; }}\n\
         table {{ border-collapse: collapse; margin: 1rem 0; }}\n\
         th, td {{ border-bottom: 1px solid #ccc; padding: 0.3rem 0.7rem; }}\n\
         td:not(:first-child), th:not(:first-child) {{ text-align: right; }}\n\
         figure {{ margin: 1.5rem 0; }} svg {{ max-width: 100%; height: auto; }}\n\
         .note {{ color: #555; }}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p>{about}</p>\n<p class=\"note\">{sources}. Simulated on Tokio's \
         paused clock: the same numbers on every run.</p>\n<table>\n<tr>",
        name = escape(scenario.name),
        title = escape(scenario.title),
        about = prose(scenario.about),
        sources = escape(&report.sources.join("; ")),
    );
    for header in &report.table.headers {
        let _ = write!(html, "<th>{}</th>", escape(header));
    }
    html.push_str("</tr>\n");
    for row in &report.table.rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    let _ = writeln!(
        html,
        "<figure id=\"comparison\">{}</figure>",
        inline(&comparison(report)?)
    );
    for (i, run) in report.runs.iter().enumerate() {
        let _ = writeln!(
            html,
            "<h2>{}</h2>\n<figure id=\"variant-{}\">{}</figure>",
            escape(&run.name),
            i + 1,
            inline(&variant(report, run)?)
        );
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}
