//! SVG plots of an evaluation: the precision-recall curve and the calibration (reliability)
//! diagram, drawn with `plotters`.

use std::path::Path;

use plotters::prelude::*;

use super::metrics::{calibration_bins, pr_curve};

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {message}")]
pub struct PlotError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

fn plot_error(path: &Path) -> impl Fn(String) -> PlotError + '_ {
    move |message| PlotError {
        path: path.display().to_string(),
        message,
    }
}

/// Draws one precision-recall curve per named series of `(score, is_lure)` pairs.
pub fn pr_curves(
    path: &Path,
    title: &str,
    series: &[(&str, Vec<(f64, bool)>)],
) -> Result<(), PlotError> {
    let err = plot_error(path);
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("recall")
        .y_desc("precision")
        .draw()
        .map_err(|e| err(e.to_string()))?;
    for (i, (name, scores)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let mut points = vec![(0.0, 1.0)];
        points.extend(pr_curve(scores));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| err(e.to_string()))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerLeft)
        .draw()
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))
}

/// Draws the reliability diagram: mean predicted probability against the observed share of
/// lures in ten bins, with the diagonal of perfect calibration.
pub fn calibration(path: &Path, title: &str, scores: &[(f64, bool)]) -> Result<(), PlotError> {
    let err = plot_error(path);
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc("predicted probability of a lure")
        .y_desc("observed share of lures")
        .draw()
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            BLACK.mix(0.4),
        ))
        .map_err(|e| err(e.to_string()))?;
    let bins = calibration_bins(scores, 10);
    chart
        .draw_series(LineSeries::new(
            bins.iter().map(|(p, o, _)| (*p, *o)),
            BLUE.stroke_width(2),
        ))
        .map_err(|e| err(e.to_string()))?;
    chart
        .draw_series(
            bins.iter()
                .map(|(p, o, _)| Circle::new((*p, *o), 4, BLUE.filled())),
        )
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_are_valid_svg_files() {
        let dir = tempfile::tempdir().unwrap();
        let scores = vec![(0.9, true), (0.7, false), (0.6, true), (0.2, false)];
        let pr = dir.path().join("pr.svg");
        pr_curves(&pr, "PR", &[("combined", scores.clone())]).unwrap();
        let cal = dir.path().join("cal.svg");
        calibration(&cal, "Calibration", &scores).unwrap();
        for path in [pr, cal] {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        }
    }
}
