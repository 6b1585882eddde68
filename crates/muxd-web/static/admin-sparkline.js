// Small inline-SVG line charts (no library, no inline style: only SVG attributes).

const NS = "http://www.w3.org/2000/svg";
export const WIDTH = 240;
export const HEIGHT = 48;

/** The polyline points of `values` in a WIDTH × HEIGHT box (room for `slots` values), 0 at the bottom. */
export function points(values, slots, max) {
  const top = Math.max(max ?? 0, ...values, 1);
  const step = WIDTH / Math.max(1, slots - 1);
  const start = (slots - values.length) * step;
  return values.map((v, i) => {
    const x = start + i * step;
    const y = HEIGHT - 2 - ((HEIGHT - 4) * Math.max(0, v)) / top;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  }).join(" ");
}

/** A chart element; `draw(values, words)` redraws it with `words` as its text alternative. */
export function sparkline(slots, max) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute("class", "spark");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const title = document.createElementNS(NS, "title");
  const base = document.createElementNS(NS, "line");
  for (const [k, v] of Object.entries({ x1: 0, x2: WIDTH, y1: HEIGHT - 1, y2: HEIGHT - 1, stroke: "#c8ced6", "vector-effect": "non-scaling-stroke" })) base.setAttribute(k, v);
  const line = document.createElementNS(NS, "polyline");
  for (const [k, v] of Object.entries({ fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linejoin": "round", "vector-effect": "non-scaling-stroke" })) line.setAttribute(k, v);
  svg.append(title, base, line);
  return {
    svg,
    draw(values, words) {
      line.setAttribute("points", points(values, slots, max));
      title.textContent = words;
      svg.setAttribute("aria-label", words);
    },
  };
}
