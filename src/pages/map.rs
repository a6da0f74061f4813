//! The world map, drawn on the server as SVG: country outlines from the world-atlas TopoJSON
//! (Natural Earth 1:50m, `corpus/reference/world-atlas/`), projected with the Equal Earth
//! projection and coloured by one value per country. No tiles, no CDN, no JavaScript: every
//! country is a plain link with a `<title>`, and pages show the same values as a table.
//!
//! [`Outlines`] decodes and projects the outlines once (shared borders are simplified once, per
//! TopoJSON arc, so neighbours never show gaps); [`render_svg`] is a pure function from outlines
//! and a [`MapView`] to SVG text, and [`render_legend`] its HTML legend.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::geography::Geography;
use crate::index::search::html_escape;
use crate::Lang;

const WORLD_ATLAS: &str = include_str!("../../corpus/reference/world-atlas/countries-50m.json");

/// Width of the map in SVG user units; the height follows from the projection.
pub(crate) const MAP_WIDTH: f64 = 1000.0;
/// Points closer than this to the simplified line are dropped (map units): far below what a
/// screen shows at the page's size, and it cuts the outlines to about a fifth.
const TOLERANCE: f64 = 0.3;
/// A country smaller than this (map units, both directions) also gets a dot, so that small
/// island States can be seen and clicked.
const DOT_BELOW: f64 = 4.0;
const MARGIN: f64 = 4.0;
/// Antarctica: not a State, and most of the map's height at the bottom.
const LEFT_OUT: &[&str] = &["010"];

/// One country's outline, projected onto the map.
#[derive(Debug, Clone)]
pub(crate) struct Outline {
    /// The UN M49 code (`404`), as in `countries.csv`; `None` for the few areas the atlas
    /// draws without an ISO code.
    pub(crate) m49: Option<String>,
    /// The atlas's own English name, used only for areas without a code.
    pub(crate) name: String,
    /// SVG path data in map units.
    pub(crate) path: String,
    /// `[min_x, min_y, max_x, max_y]` in map units.
    pub(crate) bbox: [f64; 4],
    /// Where to draw a dot for a country too small to see.
    pub(crate) dot: Option<(f64, f64)>,
}

/// Every outline of an atlas, projected.
#[derive(Debug)]
pub(crate) struct Outlines {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) shapes: Vec<Outline>,
    by_m49: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct Topology {
    transform: Transform,
    arcs: Vec<Vec<[i64; 2]>>,
    objects: Objects,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Objects {
    countries: Collection,
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(flatten)]
    shape: Shape,
    id: Option<String>,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "arcs")]
enum Shape {
    Polygon(Vec<Vec<i64>>),
    MultiPolygon(Vec<Vec<Vec<i64>>>),
}

#[derive(Deserialize, Default)]
struct Properties {
    #[serde(default)]
    name: String,
}

/// The Equal Earth projection (Šavrič, Patterson and Jenny, 2018): equal-area, so that large
/// countries do not look more important than they are. Longitude and latitude in degrees;
/// returns x to the east and y to the north, in units of the earth's radius.
pub(crate) fn equal_earth(longitude: f64, latitude: f64) -> (f64, f64) {
    const A1: f64 = 1.340264;
    const A2: f64 = -0.081106;
    const A3: f64 = 0.000893;
    const A4: f64 = 0.003796;
    let m = 3f64.sqrt() / 2.0;
    let lambda = longitude.to_radians();
    let theta = (m * latitude.to_radians().sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lambda * theta.cos() / (m * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// Half the width of the Equal Earth map (x at longitude 180 on the equator).
fn half_width() -> f64 {
    equal_earth(180.0, 0.0).0
}

impl Outlines {
    /// The shipped atlas, decoded and projected once per process.
    pub(crate) fn world() -> &'static Outlines {
        static WORLD: OnceLock<Outlines> = OnceLock::new();
        WORLD.get_or_init(|| {
            Outlines::from_topojson(WORLD_ATLAS, TOLERANCE)
                .expect("the shipped world atlas is valid TopoJSON")
        })
    }

    /// Decodes a TopoJSON topology with a `countries` object (as world-atlas ships it),
    /// projects it to [`MAP_WIDTH`] units wide and simplifies every arc with `tolerance`.
    pub(crate) fn from_topojson(json: &str, tolerance: f64) -> Result<Outlines, String> {
        let topology: Topology =
            serde_json::from_str(json).map_err(|e| format!("world atlas: {e}"))?;
        let scale = MAP_WIDTH / (2.0 * half_width());
        let project = |(longitude, latitude): (f64, f64)| {
            let (x, y) = equal_earth(longitude, latitude);
            (x * scale, -y * scale)
        };
        let [kx, ky] = topology.transform.scale;
        let [tx, ty] = topology.transform.translate;
        // Arcs are delta-encoded, quantized positions. Which points survive simplification is
        // decided once per arc, so that two countries sharing a border draw the same line.
        let arcs: Vec<Vec<(f64, f64, bool)>> = topology
            .arcs
            .iter()
            .map(|arc| {
                let (mut qx, mut qy) = (0i64, 0i64);
                let points: Vec<(f64, f64)> = arc
                    .iter()
                    .map(|[dx, dy]| {
                        qx += dx;
                        qy += dy;
                        (qx as f64 * kx + tx, qy as f64 * ky + ty)
                    })
                    .collect();
                let projected: Vec<(f64, f64)> = points.iter().copied().map(project).collect();
                let keep = simplify(&projected, tolerance);
                points
                    .iter()
                    .zip(keep)
                    .map(|(&(x, y), k)| (x, y, k))
                    .collect()
            })
            .collect();
        let arc = |index: i64| -> Result<Vec<(f64, f64, bool)>, String> {
            // A negative index `!i` is arc `i` walked backwards.
            let (i, reversed) = if index < 0 {
                (!index, true)
            } else {
                (index, false)
            };
            let mut points = arcs
                .get(i as usize)
                .ok_or_else(|| format!("world atlas: no arc {i}"))?
                .clone();
            if reversed {
                points.reverse();
            }
            Ok(points)
        };
        let rings_of = |indices: &[i64]| -> Result<Vec<Vec<(f64, f64)>>, String> {
            let mut points: Vec<(f64, f64, bool)> = Vec::new();
            for &index in indices {
                let next = arc(index)?;
                // Consecutive arcs share their joining point.
                let skip = usize::from(!points.is_empty());
                points.extend(next.into_iter().skip(skip));
            }
            let kept: Vec<(f64, f64)> = points
                .into_iter()
                .filter(|p| p.2)
                .map(|(x, y, _)| (x, y))
                .collect();
            Ok(split_at_antimeridian(kept)
                .into_iter()
                .map(|piece| piece.into_iter().map(project).collect())
                .collect())
        };

        let mut shapes = Vec::new();
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for geometry in &topology.objects.countries.geometries {
            if geometry
                .id
                .as_deref()
                .is_some_and(|id| LEFT_OUT.contains(&id))
            {
                continue;
            }
            let polygons: Vec<&Vec<Vec<i64>>> = match &geometry.shape {
                Shape::Polygon(rings) => vec![rings],
                Shape::MultiPolygon(polygons) => polygons.iter().collect(),
            };
            let mut rings = Vec::new();
            for polygon in polygons {
                for indices in polygon {
                    rings.extend(rings_of(indices)?);
                }
            }
            let all = rings.iter().flatten();
            let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for &(x, y) in all {
                bbox = [
                    bbox[0].min(x),
                    bbox[1].min(y),
                    bbox[2].max(x),
                    bbox[3].max(y),
                ];
            }
            if bbox[0] > bbox[2] {
                continue;
            }
            min_x = min_x.min(bbox[0]);
            min_y = min_y.min(bbox[1]);
            max_x = max_x.max(bbox[2]);
            max_y = max_y.max(bbox[3]);
            let small = bbox[2] - bbox[0] < DOT_BELOW && bbox[3] - bbox[1] < DOT_BELOW;
            shapes.push((geometry, rings, bbox, small));
        }
        if shapes.is_empty() {
            return Err("world atlas: no country outlines".into());
        }

        // Move the drawing to the origin, with a margin.
        let (dx, dy) = (MARGIN - min_x, MARGIN - min_y);
        let outlines: Vec<Outline> = shapes
            .into_iter()
            .map(|(geometry, rings, bbox, small)| {
                let mut path = String::new();
                for ring in &rings {
                    write_ring(&mut path, ring, dx, dy);
                }
                let bbox = [bbox[0] + dx, bbox[1] + dy, bbox[2] + dx, bbox[3] + dy];
                Outline {
                    m49: geometry.id.clone(),
                    name: geometry.properties.name.clone(),
                    path,
                    dot: small.then(|| ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0)),
                    bbox,
                }
            })
            .collect();
        let by_m49 = outlines
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.m49.clone().map(|m| (m, i)))
            .collect();
        Ok(Outlines {
            width: (max_x - min_x + 2.0 * MARGIN).ceil(),
            height: (max_y - min_y + 2.0 * MARGIN).ceil(),
            shapes: outlines,
            by_m49,
        })
    }

    /// The outline of a country by UN M49 code (`404`).
    pub(crate) fn get(&self, m49: &str) -> Option<&Outline> {
        self.by_m49.get(m49).map(|&i| &self.shapes[i])
    }
}

/// Douglas–Peucker: which points to keep: the end points and every point that strays more
/// than `tolerance` from the simplified line.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<bool> {
    if points.len() < 3 {
        return vec![true; points.len()];
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    // An explicit stack: arcs have thousands of points at most, but recursion depth is not
    // worth betting on.
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        if last <= first + 1 {
            continue;
        }
        let (mut farthest, mut distance) = (first, 0.0);
        for (i, &point) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = segment_distance(point, points[first], points[last]);
            if d > distance {
                (farthest, distance) = (i, d);
            }
        }
        if distance > tolerance {
            keep[farthest] = true;
            stack.push((first, farthest));
            stack.push((farthest, last));
        }
    }
    keep
}

/// A ring that crosses the antimeridian (Russia's Chukotka, Fiji; and quantization writes
/// longitude 180 as -180) would otherwise be drawn right across the map. Its longitudes are
/// made continuous, then it is cut along the antimeridian into the pieces on either side.
fn split_at_antimeridian(ring: Vec<(f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    if !ring.windows(2).any(|w| (w[1].0 - w[0].0).abs() > 180.0) {
        return vec![ring];
    }
    let mut unwrapped = Vec::with_capacity(ring.len());
    let mut shift = 0.0;
    let mut previous: Option<f64> = None;
    for (x, y) in ring {
        if let Some(p) = previous {
            let step = x + shift - p;
            if step > 180.0 {
                shift -= 360.0;
            } else if step < -180.0 {
                shift += 360.0;
            }
        }
        previous = Some(x + shift);
        unwrapped.push((x + shift, y));
    }
    let (min, max) = unwrapped.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let line = if max > 180.0 {
        180.0
    } else if min < -180.0 {
        -180.0
    } else {
        return vec![unwrapped];
    };
    let wrap = if line > 0.0 { -360.0 } else { 360.0 };
    let inside = clip_half_plane(&unwrapped, line, line > 0.0);
    let outside: Vec<(f64, f64)> = clip_half_plane(&unwrapped, line, line < 0.0)
        .into_iter()
        .map(|(x, y)| (x + wrap, y))
        .collect();
    [inside, outside]
        .into_iter()
        .filter(|piece| piece.len() >= 3)
        .collect()
}

/// Sutherland–Hodgman against one vertical line: the part of the ring at `x <= line`
/// (`below`) or at `x >= line`.
fn clip_half_plane(ring: &[(f64, f64)], line: f64, below: bool) -> Vec<(f64, f64)> {
    let inside = |p: &(f64, f64)| if below { p.0 <= line } else { p.0 >= line };
    let mut out = Vec::new();
    for (i, current) in ring.iter().enumerate() {
        let previous = &ring[(i + ring.len() - 1) % ring.len()];
        let crossing = || {
            let t = (line - previous.0) / (current.0 - previous.0);
            (line, previous.1 + t * (current.1 - previous.1))
        };
        match (inside(previous), inside(current)) {
            (true, true) => out.push(*current),
            (true, false) => out.push(crossing()),
            (false, true) => {
                out.push(crossing());
                out.push(*current);
            }
            (false, false) => {}
        }
    }
    out
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    if length2 == 0.0 {
        return ((p.0 - a.0).powi(2) + (p.1 - a.1).powi(2)).sqrt();
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0);
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// Appends a closed ring as `M x y x y … Z`, one decimal, repeated points left out.
fn write_ring(path: &mut String, ring: &[(f64, f64)], dx: f64, dy: f64) {
    let mut last: Option<(i64, i64)> = None;
    let mut written = 0;
    let start = path.len();
    for &(x, y) in ring {
        let point = (
            ((x + dx) * 10.0).round() as i64,
            ((y + dy) * 10.0).round() as i64,
        );
        if last == Some(point) {
            continue;
        }
        path.push(if written == 0 { 'M' } else { ' ' });
        write_tenths(path, point.0);
        path.push(' ');
        write_tenths(path, point.1);
        last = Some(point);
        written += 1;
    }
    if written < 3 {
        // Too small to draw as a shape (the dot stands for it).
        path.truncate(start);
    } else {
        path.push('Z');
    }
}

fn write_tenths(out: &mut String, tenths: i64) {
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, fraction) = (tenths.abs() / 10, tenths.abs() % 10);
    if fraction == 0 {
        let _ = write!(out, "{sign}{whole}");
    } else {
        let _ = write!(out, "{sign}{whole}.{fraction}");
    }
}

/// What one country shows on the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MapArea {
    /// UN M49 code (`404`).
    pub(crate) m49: String,
    /// ISO 3166-1 alpha-3 code, kept on the element for tests and styling.
    pub(crate) iso3: String,
    /// Its profile page.
    pub(crate) href: String,
    /// The legend class it falls in (`c-party`, `c-adh-3`).
    pub(crate) class: String,
    /// The country and its value in words (the tooltip and accessible name).
    pub(crate) title: String,
}

/// One class of the legend: its CSS class, fill, label and how many countries it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LegendEntry {
    pub(crate) class: String,
    /// A CSS colour, or [`NO_DATA_FILL`] for the hatched "no data" pattern.
    pub(crate) fill: String,
    pub(crate) label: String,
    pub(crate) count: usize,
}

/// The fill of "no data": a hatch, so that it cannot be mistaken for the lightest colour.
pub(crate) const NO_DATA_FILL: &str = "hatch";

/// Everything a map shows: what it is about, a value per country, and the legend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MapView {
    /// The map's title and a one-sentence description, for assistive technology.
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) areas: Vec<MapArea>,
    pub(crate) legend: Vec<LegendEntry>,
    /// The `<title>` suffix of outlines that have no entry in `areas`: "no data" on the world
    /// map (territories without a code in the atlas); none on a region's map, where the rest of
    /// the world is background and may well have data.
    pub(crate) unlisted_label: Option<String>,
    /// The names of outlines without an entry in `areas`, in the page's language, by M49 code
    /// ([`country_names`]); the atlas's English short name where a code has none.
    pub(crate) names: HashMap<String, String>,
    /// When set, the view box is cropped to these countries' outlines (a region's map).
    pub(crate) focus: Option<Vec<String>>,
}

impl MapView {
    /// Crops the map to these countries (a region's States, by M49 code). The rest of the world
    /// is background: named, but not said to have "no data", since it may well have some.
    pub(crate) fn focus_on(&mut self, m49s: Vec<String>) {
        self.focus = Some(m49s);
        self.unlisted_label = None;
    }
}

/// Every country's name in `lang`, by M49 code: outlines a view does not list are named in
/// the reader's language, not by the atlas's English short names.
pub(crate) fn country_names(lang: Lang) -> HashMap<String, String> {
    Geography::builtin()
        .countries()
        .iter()
        .map(|country| (country.m49.clone(), country.names.get(lang).to_string()))
        .collect()
}

/// The map as an SVG element (inline in a page). Countries without an entry in `view.areas`
/// are drawn in grey, unlinked.
pub(crate) fn render_svg(outlines: &Outlines, view: &MapView) -> String {
    let areas: HashMap<&str, &MapArea> = view.areas.iter().map(|a| (a.m49.as_str(), a)).collect();
    let [x, y, width, height] = view_box(outlines, view.focus.as_deref());
    let mut svg = String::with_capacity(256 * 1024);
    let _ = write!(
        svg,
        "<svg class=\"world-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{} {} {} {}\" role=\"group\" aria-labelledby=\"map-title\" aria-describedby=\"map-desc\">",
        x.floor(),
        y.floor(),
        width.ceil(),
        height.ceil()
    );
    let _ = write!(
        svg,
        "<title id=\"map-title\">{}</title><desc id=\"map-desc\">{}</desc>",
        html_escape(&view.title),
        html_escape(&view.description)
    );
    svg.push_str("<defs><pattern id=\"no-data-hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#e5e5e5\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#a8a8a8\" stroke-width=\"1.2\"/></pattern></defs>");
    // Colours are presentation attributes, not a <style> element: the pages' Content-Security-
    // Policy allows no inline style. Strokes and hover are in static/style.css.
    let fills: HashMap<&str, String> = view
        .legend
        .iter()
        .map(|entry| (entry.class.as_str(), svg_fill(&entry.fill)))
        .collect();
    svg.push_str("<rect class=\"ocean\" x=\"-10000\" y=\"-10000\" width=\"20000\" height=\"20000\" fill=\"#f4f8fb\"/>");
    for outline in &outlines.shapes {
        let area = outline.m49.as_deref().and_then(|m| areas.get(m));
        match area {
            Some(area) => {
                // The legend class is the first word of the area's classes.
                let legend_class = area.class.split_whitespace().next().unwrap_or_default();
                let fill = fills.get(legend_class).map_or("#d4d4d4", String::as_str);
                let _ = write!(
                    svg,
                    "<a href=\"{}\" class=\"{}\" data-iso=\"{}\" fill=\"{fill}\"><title>{}</title><path d=\"{}\"/>",
                    html_escape(&area.href),
                    area.class,
                    html_escape(&area.iso3),
                    html_escape(&area.title),
                    outline.path
                );
                if let Some((cx, cy)) = outline.dot {
                    let _ = write!(svg, "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"2.6\"/>");
                }
                svg.push_str("</a>");
            }
            None => {
                let name = outline
                    .m49
                    .as_deref()
                    .and_then(|m49| view.names.get(m49))
                    .unwrap_or(&outline.name);
                let title = match &view.unlisted_label {
                    Some(label) => format!("{name}: {label}"),
                    None => name.clone(),
                };
                let _ = write!(
                    svg,
                    "<g class=\"c-unlisted\" fill=\"#d4d4d4\"><title>{}</title><path d=\"{}\"/></g>",
                    html_escape(&title),
                    outline.path
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

fn svg_fill(fill: &str) -> String {
    if fill == NO_DATA_FILL {
        "url(#no-data-hatch)".to_string()
    } else {
        fill.to_string()
    }
}

/// The legend as an HTML list, each class with its swatch, label and count.
pub(crate) fn render_legend(view: &MapView, heading: &str) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<div class=\"map-legend\"><p class=\"map-legend-heading\">{}</p><ul>",
        html_escape(heading)
    );
    for entry in &view.legend {
        // A small SVG rather than a styled span: the Content-Security-Policy allows no inline
        // style attribute.
        let swatch = if entry.fill == NO_DATA_FILL {
            "<rect width=\"18\" height=\"12\" fill=\"#e5e5e5\"/><path d=\"M0 8l8-8M4 12l12-12M12 12l6-6\" stroke=\"#a8a8a8\" stroke-width=\"1.4\"/>".to_string()
        } else {
            format!(
                "<rect width=\"18\" height=\"12\" fill=\"{}\"/>",
                html_escape(&entry.fill)
            )
        };
        let _ = write!(
            html,
            "<li class=\"legend-{}\"><svg class=\"swatch\" viewBox=\"0 0 18 12\" aria-hidden=\"true\" focusable=\"false\">{swatch}</svg>{} <span class=\"count\">({})</span></li>",
            entry.class,
            html_escape(&entry.label),
            entry.count
        );
    }
    html.push_str("</ul></div>");
    html
}

/// The view box: the whole map, or the focused countries' outlines with a margin, widened
/// to the map's proportions so a small region is not stretched thin.
fn view_box(outlines: &Outlines, focus: Option<&[String]>) -> [f64; 4] {
    let whole = [0.0, 0.0, outlines.width, outlines.height];
    let Some(focus) = focus else {
        return whole;
    };
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for outline in focus.iter().filter_map(|m| outlines.get(m)) {
        bbox = [
            bbox[0].min(outline.bbox[0]),
            bbox[1].min(outline.bbox[1]),
            bbox[2].max(outline.bbox[2]),
            bbox[3].max(outline.bbox[3]),
        ];
    }
    if bbox[0] > bbox[2] {
        return whole;
    }
    let margin = 12.0;
    let (mut w, mut h) = (
        bbox[2] - bbox[0] + 2.0 * margin,
        bbox[3] - bbox[1] + 2.0 * margin,
    );
    let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let ratio = outlines.width / outlines.height;
    if w / h < ratio {
        w = h * ratio;
    } else {
        h = w / ratio;
    }
    w = w.min(outlines.width);
    h = h.min(outlines.height);
    let x = (cx - w / 2.0).clamp(0.0, outlines.width - w);
    let y = (cy - h / 2.0).clamp(0.0, outlines.height - h);
    [x, y, w, h]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_earth_keeps_the_origin_and_the_symmetry() {
        assert_eq!(equal_earth(0.0, 0.0), (0.0, 0.0));
        let (x, y) = equal_earth(180.0, 0.0);
        // The published half-width of Equal Earth at the equator.
        assert!((x - 2.7064).abs() < 1e-3, "{x}");
        assert_eq!(y, 0.0);
        let (x1, y1) = equal_earth(30.0, 45.0);
        let (x2, y2) = equal_earth(-30.0, -45.0);
        assert!((x1 + x2).abs() < 1e-12 && (y1 + y2).abs() < 1e-12);
        // Meridians converge towards the poles: the same longitude is closer to the centre.
        assert!(equal_earth(90.0, 60.0).0 < equal_earth(90.0, 0.0).0);
        // North is up in the projection (y grows northwards).
        assert!(equal_earth(0.0, 60.0).1 > 0.0);
    }

    #[test]
    fn simplification_keeps_corners_and_drops_points_on_a_line() {
        let line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 5.0)];
        assert_eq!(simplify(&line, 0.1), vec![true, false, true, true]);
        // A closed ring (first point = last point) keeps its shape.
        let ring = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];
        assert_eq!(simplify(&ring, 0.1), vec![true; 5]);
    }

    #[test]
    fn a_ring_across_the_antimeridian_is_cut_into_its_two_sides() {
        // An island from 179 E to 179 W, written the way quantization leaves it.
        let ring = vec![
            (179.0, 1.0),
            (-179.0, 1.0),
            (-179.0, -1.0),
            (179.0, -1.0),
            (179.0, 1.0),
        ];
        let pieces = split_at_antimeridian(ring);
        assert_eq!(pieces.len(), 2);
        for piece in &pieces {
            let (lo, hi) = piece.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.0), hi.max(p.0))
            });
            assert!(hi - lo <= 1.0 + 1e-9, "{piece:?}");
        }
        assert!(pieces[0].iter().all(|p| p.0 >= 179.0 && p.0 <= 180.0));
        assert!(pieces[1].iter().all(|p| p.0 >= -180.0 && p.0 <= -179.0));
        // A ring that only touches the line keeps one piece.
        let touching = vec![(179.0, 1.0), (-180.0, 1.0), (-180.0, -1.0), (179.0, -1.0)];
        assert_eq!(split_at_antimeridian(touching).len(), 1);
    }

    #[test]
    fn the_world_atlas_places_countries_where_they_are() {
        let world = Outlines::world();
        assert!(world.width <= MAP_WIDTH + 2.0 * MARGIN + 1.0);
        assert!(world.height > 300.0 && world.height < world.width);
        // Antarctica is left out; Kenya (404) is east of Brazil (076) and north of South Africa (710).
        assert!(world.get("010").is_none());
        let kenya = world.get("404").unwrap();
        let brazil = world.get("076").unwrap();
        let south_africa = world.get("710").unwrap();
        assert!(kenya.bbox[0] > brazil.bbox[2]);
        assert!(kenya.bbox[3] < south_africa.bbox[1]);
        assert!(kenya.path.starts_with('M') && kenya.path.ends_with('Z'));
        assert!(kenya.dot.is_none());
        // Small island States get a dot to click on.
        assert!(world.get("702").unwrap().dot.is_some(), "Singapore");
        // Every outline fits in the drawing.
        for outline in &world.shapes {
            assert!(outline.bbox[0] >= 0.0 && outline.bbox[2] <= world.width);
            assert!(outline.bbox[1] >= 0.0 && outline.bbox[3] <= world.height);
        }
    }

    fn view() -> MapView {
        MapView {
            title: "Rome Statute".into(),
            description: "Status of each State".into(),
            areas: vec![MapArea {
                m49: "404".into(),
                iso3: "KEN".into(),
                href: "/countries/KE?lang=en".into(),
                class: "c-party".into(),
                title: "Kenya: Party (ratification 2005-03-15)".into(),
            }],
            legend: vec![
                LegendEntry {
                    class: "c-party".into(),
                    fill: "#2166ac".into(),
                    label: "Party".into(),
                    count: 1,
                },
                LegendEntry {
                    class: "c-no-data".into(),
                    fill: NO_DATA_FILL.into(),
                    label: "No data".into(),
                    count: 0,
                },
            ],
            unlisted_label: Some("no data".into()),
            names: country_names(Lang::Fr),
            focus: None,
        }
    }

    #[test]
    fn a_country_is_a_link_to_its_profile_with_a_title_and_its_class() {
        let world = Outlines::world();
        let svg = render_svg(world, &view());
        let kenya = format!(
            "<a href=\"/countries/KE?lang=en\" class=\"c-party\" data-iso=\"KEN\" fill=\"#2166ac\"><title>Kenya: Party (ratification 2005-03-15)</title><path d=\"{}\"/></a>",
            world.get("404").unwrap().path
        );
        assert!(svg.contains(&kenya), "Kenya's linked outline");
        assert!(svg.starts_with("<svg class=\"world-map\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"map-title\">Rome Statute</title>"));
        // Legend classes become fill attributes (the CSP allows no inline style); "no data"
        // is hatched, not a colour of the scale.
        assert!(!svg.contains("<style") && !svg.contains("style="));
        assert!(svg.contains("<pattern id=\"no-data-hatch\""));
        // Countries the view does not list are grey and not links, named in the view's language.
        let tanzania = world.get("834").unwrap();
        assert!(svg.contains(&format!(
            "<g class=\"c-unlisted\" fill=\"#d4d4d4\"><title>République-Unie de Tanzanie: no data</title><path d=\"{}\"/></g>",
            tanzania.path
        )));
        // A region's map claims nothing of the world around it.
        let background = render_svg(
            world,
            &MapView {
                unlisted_label: None,
                ..view()
            },
        );
        assert!(background.contains("<title>République-Unie de Tanzanie</title>"));
        assert_eq!(svg.matches("<a ").count(), 1);
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn the_legend_lists_every_class_with_its_count() {
        let html = render_legend(&view(), "Status");
        assert!(html.contains("<li class=\"legend-c-party\"><svg class=\"swatch\" viewBox=\"0 0 18 12\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"18\" height=\"12\" fill=\"#2166ac\"/></svg>Party <span class=\"count\">(1)</span></li>"), "{html}");
        assert!(
            !html.contains("style="),
            "no inline style: the CSP forbids it"
        );
        assert!(html.contains("legend-c-no-data"));
        assert!(
            html.contains("stroke=\"#a8a8a8\""),
            "the no-data swatch is hatched"
        );
    }

    #[test]
    fn a_focused_map_crops_to_its_countries() {
        let world = Outlines::world();
        let mut focused = view();
        focused.focus = Some(vec!["404".into(), "834".into(), "800".into()]);
        let svg = render_svg(world, &focused);
        let view_box = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let numbers: Vec<f64> = view_box.split(' ').map(|n| n.parse().unwrap()).collect();
        assert!(numbers[2] < world.width / 4.0, "{view_box}");
        let kenya = world.get("404").unwrap();
        assert!(numbers[0] <= kenya.bbox[0] && numbers[0] + numbers[2] >= kenya.bbox[2]);
    }

    #[test]
    fn the_map_is_light_enough_for_a_page() {
        let world = Outlines::world();
        let total: usize = world.shapes.iter().map(|o| o.path.len()).sum();
        assert!(total < 400_000, "{total} bytes of path data");
    }
}
