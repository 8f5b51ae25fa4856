/**
 * Server-rendered SVG pictures: they work without JavaScript. Each has a title and description for
 * assistive technology, a legend, and is shown beside a table with the same data.
 */
import { WALES_HEXJSON } from "#app/data/wales-hexes.ts";
import { formatNumber, type Translator } from "#app/i18n/i18n.ts";

export type CellKind = "comparable" | "nonComparable" | "not_collected" | "unknown" | "not_applicable" | "blank" | "noReturn" | "hidden";

/** Colours that stay apart for colour-blind readers (a blue sequence for rates; distinct hues and marks for states). */
export const RATE_COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"] as const;
export const STATE_STYLES: Record<CellKind, { fill: string; text: string }> = {
  comparable: { fill: "#1d70b8", text: "#ffffff" },
  nonComparable: { fill: "#85b4e0", text: "#0b0c0c" },
  not_collected: { fill: "#d4351c", text: "#ffffff" },
  unknown: { fill: "#f47738", text: "#0b0c0c" },
  not_applicable: { fill: "#b1b4b6", text: "#0b0c0c" },
  blank: { fill: "#ffffff", text: "#0b0c0c" },
  noReturn: { fill: "#ffffff", text: "#0b0c0c" },
  hidden: { fill: "#f3f2f1", text: "#0b0c0c" },
};

export interface MapCell {
  authorityCode: string;
  name: string;
  kind: CellKind;
  rate: number | null;
  /** What the hexagon's tooltip and the screen reader say. */
  label: string;
}

/** Equal-width bins from 0 to the highest rate: readers can check a colour against the legend. */
export function rateBins(rates: number[]) {
  const max = Math.max(0, ...rates);
  const step = max / RATE_COLOURS.length || 1;
  return RATE_COLOURS.map((colour, i) => ({ colour, from: i * step, to: (i + 1) * step }));
}

function binColour(bins: ReturnType<typeof rateBins>, rate: number) {
  return (bins.find((b) => rate <= b.to) ?? bins[bins.length - 1]!).colour;
}

const SIZE = 34;
const WIDTH = Math.sqrt(3) * SIZE;

function hexPoints(cx: number, cy: number) {
  return Array.from({ length: 6 }, (_, i) => {
    const angle = (Math.PI / 180) * (60 * i - 30);
    return `${(cx + SIZE * Math.cos(angle)).toFixed(1)},${(cy + SIZE * Math.sin(angle)).toFixed(1)}`;
  }).join(" ");
}

export function HexMap({
  t,
  id,
  title,
  description,
  cells,
  colourBy,
}: {
  t: Translator;
  id: string;
  title: string;
  description: string;
  cells: MapCell[];
  colourBy: "rate" | "state";
}) {
  const byCode = new Map(cells.map((c) => [c.authorityCode, c]));
  const rates = cells.filter((c) => c.kind === "comparable" && c.rate !== null).map((c) => c.rate!);
  // No rate key where there are no rates: the map shows each authority's answer instead.
  const byRate = colourBy === "rate" && rates.length > 0;
  const bins = rateBins(rates);
  const hatch = `${id}-hatch`;
  // Counted differently is hatched, never a colour that could be read on the rate scale.
  const fillFor = (kind: CellKind, fill: string) => (kind === "nonComparable" ? `url(#${hatch})` : fill);
  const hexes = Object.entries(WALES_HEXJSON.hexes).map(([code, hex]) => ({
    code,
    hex,
    cx: WIDTH * (hex.q + (hex.r % 2 === 1 ? 0.5 : 0)) + WIDTH / 2 + 4,
    cy: 1.5 * SIZE * hex.r + SIZE + 4,
  }));
  const width = Math.max(...hexes.map((h) => h.cx)) + WIDTH / 2 + 4;
  const height = Math.max(...hexes.map((h) => h.cy)) + SIZE + 4;
  const fillOf = (cell: MapCell | undefined) => {
    if (!cell) return STATE_STYLES.hidden;
    if (byRate) {
      if (cell.kind === "comparable" && cell.rate !== null) {
        const fill = binColour(bins, cell.rate);
        return { fill, text: RATE_COLOURS.indexOf(fill as (typeof RATE_COLOURS)[number]) >= 3 ? "#ffffff" : "#0b0c0c" };
      }
      return cell.kind === "comparable" ? STATE_STYLES.blank : STATE_STYLES[cell.kind];
    }
    return STATE_STYLES[cell.kind];
  };
  const kinds = [...new Set(cells.map((c) => c.kind))];
  return (
    <figure className="app-figure">
      <svg
        viewBox={`0 0 ${width.toFixed(0)} ${height.toFixed(0)}`}
        width={width.toFixed(0)}
        height={height.toFixed(0)}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="app-hexmap"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <defs>
          <pattern id={hatch} width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="8" height="8" fill="#ffffff" />
            <line x1="0" y1="0" x2="0" y2="8" stroke="#0b0c0c" strokeWidth="3" />
          </pattern>
        </defs>
        {hexes.map(({ code, hex, cx, cy }) => {
          const cell = byCode.get(code);
          const style = fillOf(cell);
          const dashed = cell && (cell.kind === "noReturn" || cell.kind === "blank");
          return (
            <g key={code}>
              <title>{cell ? cell.label : code}</title>
              <polygon
                points={hexPoints(cx, cy)}
                fill={cell ? fillFor(cell.kind, style.fill) : style.fill}
                stroke="#0b0c0c"
                strokeWidth="1.5"
                strokeDasharray={dashed ? "4 3" : undefined}
              />
              <text x={cx} y={cy + 5} textAnchor="middle" fontSize="13" fontWeight="700" fill={style.text}>
                {hex.n}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <h3 className="govuk-heading-s govuk-!-margin-top-2 govuk-!-margin-bottom-1">{t("chart.legend")}</h3>
        <ul className="govuk-list app-legend">
          {byRate
            ? bins.map((bin) => (
                <li key={bin.colour}>
                  <span className="app-swatch" aria-hidden="true">
                    <svg width="16" height="16" focusable="false" aria-hidden="true">
                      <rect width="16" height="16" fill={bin.colour} stroke="#0b0c0c" />
                    </svg>
                  </span>
                  {t("chart.rateBin", {
                    from: formatNumber(t.lang, bin.from, { maximumFractionDigits: 1 }),
                    to: formatNumber(t.lang, bin.to, { maximumFractionDigits: 1 }),
                  })}
                </li>
              ))
            : null}
          {kinds
            .filter((kind) => !byRate || kind !== "comparable")
            .map((kind) => (
              <li key={kind}>
                <span className="app-swatch" aria-hidden="true">
                  <svg width="16" height="16" focusable="false" aria-hidden="true">
                    <rect
                      width="16"
                      height="16"
                      fill={fillFor(kind, STATE_STYLES[kind].fill)}
                      stroke="#0b0c0c"
                      strokeDasharray={kind === "noReturn" || kind === "blank" ? "3 2" : undefined}
                    />
                  </svg>
                </span>
                {t(`chart.kind.${kind}`)}
              </li>
            ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export interface Bar {
  key: string;
  label: string;
  value: number | null;
  kind: CellKind;
  /** Shown beside the bar: the figure, or why there is none. */
  text: string;
}

/** Horizontal bars, largest first; bars counted differently are hatched; no bar where there is no figure. */
export function BarChart({ id, title, description, bars }: { id: string; title: string; description: string; bars: Bar[] }) {
  const rowHeight = 22;
  const labelWidth = 170;
  const barArea = 300;
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0)) || 1;
  const height = bars.length * rowHeight + 8;
  return (
    <svg
      viewBox={`0 0 ${labelWidth + barArea + 170} ${height}`}
      width="100%"
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      className="app-barchart"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <defs>
        <pattern id={`${id}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#85b4e0" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#0b0c0c" strokeWidth="2" />
        </pattern>
      </defs>
      {bars.map((bar, i) => {
        const y = i * rowHeight + 4;
        const w = bar.value === null ? 0 : Math.max(1, (bar.value / max) * barArea);
        return (
          <g key={bar.key}>
            <text x={labelWidth - 6} y={y + 14} textAnchor="end" fontSize="13" fill="#0b0c0c">
              {bar.label}
            </text>
            {bar.value !== null ? (
              <rect
                x={labelWidth}
                y={y + 2}
                width={w.toFixed(1)}
                height={rowHeight - 6}
                fill={bar.kind === "nonComparable" ? `url(#${id}-hatch)` : "#1d70b8"}
              />
            ) : null}
            <text x={labelWidth + w + 6} y={y + 14} fontSize="13" fill="#0b0c0c">
              {bar.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export interface TrendChartPoint {
  key: string;
  label: string;
  value: number | null;
  comparable: boolean;
  /** A line may join this point to the one before: both comparable, and covering the same authorities. */
  joinsPrevious: boolean;
  /** The round is still open: its figure may change. */
  provisional: boolean;
  /** Under the date: how much the point covers ("12 of 22"), or why it stands alone. */
  note?: string;
}

/**
 * Points at each round. A line joins two neighbouring points only when they are comparable with each
 * other; points counted differently are hollow; provisional points are dashed and say so under the
 * date.
 */
export function TrendChart({
  t,
  id,
  title,
  description,
  points,
}: {
  t: Translator;
  id: string;
  title: string;
  description: string;
  points: TrendChartPoint[];
}) {
  const width = 640;
  const height = 280;
  // Room at each side for half of a date centred on the first and the last point.
  const pad = { left: 60, right: 60, top: 20, bottom: 80 };
  const values = points.map((p) => p.value ?? 0);
  const max = Math.max(1, ...values);
  const x = (i: number) =>
    pad.left + (points.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  const joined = (p: TrendChartPoint | undefined) => p !== undefined && p.value !== null && p.comparable;
  const segments = points.flatMap((p, i) =>
    i > 0 && p.joinsPrevious && joined(p) && joined(points[i - 1]) ? [{ from: points[i - 1]!, to: p, i }] : [],
  );
  // Dates centred on the points: as many as are at least a date's width apart, both ends included.
  const labelled = labelledPoints(points.length, Math.floor((width - pad.left - pad.right) / LABEL_WIDTH) + 1);
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${id}-title ${id}-desc`} className="app-trendchart">
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <line x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} stroke="#505a5f" />
      <text x={pad.left - 6} y={y(0) + 4} textAnchor="end" fontSize="12" fill="#0b0c0c">
        0
      </text>
      <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" fontSize="12" fill="#0b0c0c">
        {formatNumber(t.lang, max)}
      </text>
      {segments.map(({ from, to, i }) => (
        <line
          key={`${to.key}-segment`}
          x1={x(i - 1).toFixed(1)}
          y1={y(from.value!).toFixed(1)}
          x2={x(i).toFixed(1)}
          y2={y(to.value!).toFixed(1)}
          stroke="#1d70b8"
          strokeWidth="3"
          strokeDasharray={to.provisional ? "6 4" : undefined}
        />
      ))}
      {points.map((p, i) =>
        p.value === null ? null : (
          <circle
            key={p.key}
            cx={x(i)}
            cy={y(p.value)}
            r="6"
            fill={p.comparable && !p.provisional ? "#1d70b8" : "#ffffff"}
            stroke="#1d70b8"
            strokeWidth="3"
            strokeDasharray={p.provisional ? "3 2" : undefined}
          >
            {/* Shown on hover: the axis dates only some points when there are many. */}
            <title>{`${p.label}: ${formatNumber(t.lang, p.value)}`}</title>
          </circle>
        ),
      )}
      {points.map((p, i) =>
        labelled.has(i) ? (
          <text key={`${p.key}-label`} x={x(i)} y={height - pad.bottom + 20} textAnchor="middle" fontSize="12" fill="#0b0c0c">
            <tspan x={x(i)}>{p.label}</tspan>
            {p.note ? (
              <tspan x={x(i)} dy="16">
                {p.note}
              </tspan>
            ) : null}
            {p.provisional ? (
              <tspan x={x(i)} dy="16">
                {t("trend.provisional")}
              </tspan>
            ) : null}
          </text>
        ) : null,
      )}
    </svg>
  );
}

/** About the width, in the chart's units, of a date and its note under the axis. */
const LABEL_WIDTH = 110;

/**
 * Which of `count` points get their date under the axis when only `room` dates fit side by side:
 * evenly spread, the first and the last always. The table under the chart gives every round.
 */
export function labelledPoints(count: number, room: number) {
  const shown = Math.min(count, Math.max(2, room));
  if (shown === count) return new Set(Array.from({ length: count }, (_, i) => i));
  return new Set(Array.from({ length: shown }, (_, k) => Math.round((k * (count - 1)) / (shown - 1))));
}
