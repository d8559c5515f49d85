// Charts for the Manage view, as plain SVG built through the DOM (no library, no inline
// styles: the CSP forbids them; colours come from classes in styles.css). The geometry
// is computed by pure functions so it can be unit-tested.
import { t } from "./i18n";

const SVG = "http://www.w3.org/2000/svg";

/// One horizontal bar row: a label, a value in [0, 1], and optional segments.
export type BarRow = { label: string; parts: { share: number; cls: string }[]; note: string };

/// Bar widths for rows of parts, clamped so a row never exceeds `width` and no part
/// is negative (bad input from the hub must not draw outside the chart).
export function barLayout(rows: BarRow[], width: number): { x: number; w: number; cls: string }[][] {
  return rows.map((r) => {
    let x = 0;
    return r.parts.map((p) => {
      const share = Number.isFinite(p.share) ? Math.max(0, p.share) : 0;
      const w = Math.max(0, Math.min(width - x, share * width));
      const seg = { x, w, cls: p.cls };
      x += w;
      return seg;
    });
  });
}

/// A calibration bin as the hub reports it.
export type CalBin = { from: number; to: number; count: number; mean_confidence: number; accuracy: number };

/// Points of a reliability diagram in a `size`×`size` box (y grows downwards), for bins
/// with items only.
export function calibrationPoints(bins: CalBin[], size: number): { x: number; y: number; count: number }[] {
  return bins
    .filter((b) => b.count > 0 && Number.isFinite(b.mean_confidence) && Number.isFinite(b.accuracy))
    .map((b) => ({
      x: Math.max(0, Math.min(1, b.mean_confidence)) * size,
      y: (1 - Math.max(0, Math.min(1, b.accuracy))) * size,
      count: b.count,
    }));
}

function svg(tag: string, attrs: Record<string, string | number>, children: Node[] = []): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

function text(x: number, y: number, s: string, anchor = "start"): SVGElement {
  const t = svg("text", { x, y, "text-anchor": anchor });
  t.textContent = s;
  return t;
}

/// Horizontal stacked bars with a label on the left and a note on the right.
export function barChart(rows: BarRow[], title: string): SVGElement {
  const labelW = 200, barW = 320, noteW = 200, rowH = 22;
  const layout = barLayout(rows, barW);
  const h = rows.length * rowH + 4;
  const root = svg("svg", { width: labelW + barW + noteW, height: h, viewBox: `0 0 ${labelW + barW + noteW} ${h}`, role: "img", "aria-label": title });
  rows.forEach((r, i) => {
    const y = i * rowH + 2;
    root.append(text(0, y + 14, r.label.slice(0, 30)));
    root.append(svg("rect", { x: labelW, y: y + 3, width: barW, height: rowH - 8, class: "todo" }));
    for (const seg of layout[i]) root.append(svg("rect", { x: labelW + seg.x, y: y + 3, width: seg.w, height: rowH - 8, class: seg.cls }));
    root.append(text(labelW + barW + 8, y + 14, r.note));
  });
  return root;
}

/// A reliability diagram: the model's mean confidence per bin against how often humans
/// agreed with it; the diagonal is perfect calibration.
export function calibrationChart(bins: CalBin[]): SVGElement {
  const size = 220, pad = 30;
  const root = svg("svg", { width: size + pad * 2, height: size + pad * 2, viewBox: `0 0 ${size + pad * 2} ${size + pad * 2}`, role: "img", "aria-label": t("chart.calibration") });
  const g = svg("g", { transform: `translate(${pad},${pad / 2})` });
  g.append(svg("rect", { x: 0, y: 0, width: size, height: size, class: "axis", fill: "none" }));
  g.append(svg("line", { x1: 0, y1: size, x2: size, y2: 0, class: "ideal" }));
  for (const p of calibrationPoints(bins, size)) g.append(svg("circle", { cx: p.x, cy: p.y, r: Math.min(8, 3 + Math.log10(p.count + 1) * 2), class: "point" }));
  g.append(text(size / 2, size + 24, t("chart.confidence"), "middle"));
  g.append(text(-4, 10, "1", "end"));
  g.append(text(-4, size, "0", "end"));
  root.append(g);
  return root;
}
