// The picture of a cluster as one self-contained SVG: a heading, the unschedulable replicas, a legend,
// then the machines grouped by role and engine labels. Each machine is a box whose width follows its
// cpus and height its memory (relative to the largest machine), filled from the bottom as far as its
// reservations go, holding one coloured block per replica. Above DETAIL_LIMIT machines the boxes get
// small and textless (the group heading carries the labels, a tooltip the rest) and the replicas become
// one stripe per machine, split by service: a 2,000-machine picture stays a few hundred KB. Pure.
import { formatBytes } from '../../plan/machines.js';
import { compactRanges } from '../status.js';
import { fitText, xmlText } from './escape.js';
import { groupMachines, servicesOf, type Group, type MachineView, type PictureInput, type Replica } from './model.js';
import { ALERT, serviceColours } from './palette.js';

/** Up to this many machines each box has its name, role, labels, reservations and one block per replica. */
export const DETAIL_LIMIT = 60;

const WIDTH = 1200;
const PAD = 16;
/** Average advance of an 11 px system sans-serif character, for cutting text to a width. */
const CHAR = 6.4;

interface Scale {
  detailed: boolean;
  w: [number, number];
  h: [number, number];
  gap: number;
}
const DETAILED: Scale = { detailed: true, w: [170, 300], h: [112, 190], gap: 10 };
const COMPACT: Scale = { detailed: false, w: [14, 36], h: [12, 30], gap: 3 };

export function renderClusterSvg(input: PictureInput): string {
  const { report } = input;
  const colours = serviceColours(servicesOf(input));
  const cls = new Map([...colours.keys()].map((s, i) => [s, `s${i}`]));
  const scale = report.machines.length <= DETAIL_LIMIT ? DETAILED : COMPACT;
  // Detailed boxes show their own labels; small ones leave them to the heading of their group.
  const groups = groupMachines(input, !scale.detailed);
  const maxCpus = report.machines.reduce((n, m) => Math.max(n, m.cpus ?? 0), 0);
  const maxMemory = report.machines.reduce((n, m) => Math.max(n, m.memory ?? 0), 0);
  const size = (v: number | null, max: number, [lo, hi]: [number, number]) => (v && max ? lo + ((hi - lo) * v) / max : lo);

  const body: string[] = [];
  let y = PAD;
  const replicas = report.containers.length;
  const unplaced = input.unschedulable.reduce((n, u) => n + u.replicas.length, 0);
  const unhealthy = groups.reduce((n, g) => n + g.machines.filter((m) => m.unhealthy).length, 0);
  body.push(`<text class="h1" x="${PAD}" y="${y + 18}">${fitText(`cluster "${report.cluster}"${report.simulated ? ' (simulated: sim driver)' : ''}`, 90)}</text>`);
  y += 38;
  const pending = input.pending?.length ?? 0;
  const facts = [
    plural(report.machines.length, 'machine'),
    `${plural(replicas, 'replica')} of ${plural(colours.size, 'service')}`,
    ...(pending ? [`${pending.toLocaleString('en')} to create`] : []),
    ...(unplaced ? [`${unplaced} unschedulable`] : []),
    ...(unhealthy ? [plural(unhealthy, 'unhealthy machine')] : []),
  ];
  body.push(`<text class="dim" x="${PAD}" y="${y}">${xmlText(facts.join(' · '))}</text>`);
  y += 14;

  if (unplaced) y = callout(body, input, cls, y + 8);
  y = legend(body, input, colours, cls, y + 14);

  for (const g of groups) {
    y += 22;
    const count = g.machines.reduce((n, m) => n + m.replicas.filter((r) => r.state !== 'pending').length, 0);
    body.push(`<text class="b" x="${PAD}" y="${y}">${fitText(`${groupTitle(g)} — ${plural(g.machines.length, 'machine')}, ${plural(count, 'replica')}`, (WIDTH - 2 * PAD) / CHAR)}</text>`);
    y += 8;
    // Flow the boxes left to right, wrapping at the width; a row is as tall as its tallest box.
    let x = PAD;
    let rowHeight = 0;
    for (const view of g.machines) {
      // Whole pixels: crisp edges, and short numbers in a file that repeats them thousands of times.
      const w = Math.round(size(view.machine.cpus, maxCpus, scale.w));
      const h = Math.round(size(view.machine.memory, maxMemory, scale.h));
      if (x > PAD && x + w > WIDTH - PAD) (x = PAD), (y += rowHeight + scale.gap), (rowHeight = 0);
      body.push(scale.detailed ? detailedBox(view, x, y, w, h, cls) : compactBox(view, x, y, w, h, cls));
      x += w + scale.gap;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  if (!groups.length) body.push(`<text x="${PAD}" y="${(y += 24)}">No machines. Run \`cluster apply\` to create them.</text>`);
  const height = Math.ceil(y + PAD);

  const summary = `cluster "${report.cluster}": ${facts.join(', ')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="picture-title">`,
    `<title id="picture-title">${xmlText(summary)}</title>`,
    `<style>${style(colours, cls)}</style>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function style(colours: Map<string, string>, cls: Map<string, string>): string {
  return [
    'svg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}',
    'text{font-size:11px;fill:#222}',
    '.h1{font-size:18px;font-weight:600}',
    '.b{font-weight:600}',
    '.dim{fill:#5f6b7a}',
    '.warn{fill:' + ALERT + ';font-weight:600}',
    '.box{fill:#ffffff;stroke:#8a94a6}',
    '.unknown{stroke-dasharray:4 2}',
    '.bad{stroke:' + ALERT + ';stroke-width:2}',
    '.res{fill:#dde4ee}',
    '.alert{fill:#fdecea;stroke:' + ALERT + ';stroke-width:1.5}',
    // Not running: hollow, a thick border in the service's colour; to create: a dashed border only.
    '.down{fill-opacity:.15;stroke-width:2}',
    '.p{fill-opacity:0;stroke-dasharray:2 1}',
    '.t{stroke:none}',
    ...[...colours].map(([s, c]) => `.${cls.get(s)}{fill:${c};stroke:${c}}`),
  ].join('\n');
}

/** The replicas no machine can take, in red, with the scheduler's one-sentence reason for each service. */
function callout(body: string[], input: PictureInput, cls: Map<string, string>, top: number): number {
  const shown = input.unschedulable.slice(0, 8);
  const rest = input.unschedulable.length - shown.length;
  const unplaced = input.unschedulable.reduce((n, u) => n + u.replicas.length, 0);
  const height = 30 + 18 * shown.length + (rest ? 18 : 0);
  body.push(`<g class="unschedulable"><rect class="alert" x="${PAD}" y="${top}" width="${WIDTH - 2 * PAD}" height="${height}" rx="4"/>`);
  body.push(`<text class="warn" x="${PAD + 10}" y="${top + 19}">${plural(unplaced, 'replica')} cannot be placed (cluster explain SERVICE says why, machine by machine)</text>`);
  let y = top + 19;
  for (const u of shown) {
    y += 18;
    body.push(`<rect class="${cls.get(u.service)}" x="${PAD + 10}" y="${y - 10}" width="12" height="12"/>`);
    body.push(`<text x="${PAD + 28}" y="${y}">${fitText(`${u.service} ${compactRanges(u.replicas)}: ${u.summary}`, (WIDTH - 2 * PAD - 40) / CHAR)}</text>`);
  }
  if (rest) body.push(`<text class="dim" x="${PAD + 28}" y="${(y += 18)}">and ${plural(rest, 'more service')}: cluster plan lists them all</text>`);
  body.push('</g>');
  return top + height;
}

/** One entry per service (colour, counts), then what the marks mean. */
function legend(body: string[], input: PictureInput, colours: Map<string, string>, cls: Map<string, string>, top: number): number {
  const count = new Map<string, { running: number; down: number; pending: number; unplaced: number }>();
  const of = (s: string) => count.get(s) ?? (count.set(s, { running: 0, down: 0, pending: 0, unplaced: 0 }), count.get(s)!);
  for (const c of input.report.containers) of(c.service)[c.state === 'running' ? 'running' : 'down']++;
  for (const p of input.pending ?? []) of(p.service).pending++;
  for (const u of input.unschedulable) of(u.service).unplaced += u.replicas.length;
  const tasks = new Map((input.report.swarmServices ?? []).map((s) => [s.service, s.tasks]));
  const entry = 280;
  const perRow = Math.max(1, Math.floor((WIDTH - 2 * PAD) / entry));
  body.push('<g class="legend">');
  let i = 0;
  for (const service of colours.keys()) {
    const x = PAD + (i % perRow) * entry;
    const y = top + Math.floor(i / perRow) * 18;
    const c = of(service);
    const t = tasks.get(service);
    const parts = [`${c.running} running`, ...(c.down ? [`${c.down} not running`] : []), ...(c.pending ? [`${c.pending} to create`] : []), ...(c.unplaced ? [`${c.unplaced} unschedulable`] : []), ...(t ? [`swarm ${t.running}/${t.desired} tasks`] : tasks.has(service) ? ['swarm service'] : [])];
    body.push(`<rect class="${cls.get(service)}" x="${x}" y="${y}" width="12" height="12"/>`);
    // Cut to the entry's width so a long name or many counts never run into the next entry.
    const name = [...service].length > 18 ? [...service].slice(0, 17).join('') + '…' : service;
    const room = Math.floor((entry - 26) / CHAR) - name.length - 1;
    body.push(`<text x="${x + 18}" y="${y + 10}"><tspan class="b">${xmlText(name)}</tspan> ${fitText(parts.join(' · '), Math.max(1, room))}</text>`);
    i++;
  }
  let y = top + Math.ceil(i / perRow) * 18 + 6;
  // The key: what fill, a faded block, a dashed block and a red outline mean.
  const key: [string, string][] = [
    ['<rect class="box" x="X" y="Y" width="12" height="12"/><rect class="res" x="X" y="Y6" width="12" height="6"/>', 'reserved cpu or memory (the larger share)'],
    ['<rect class="s0 down" x="X" y="Y" width="12" height="12"/>', 'replica not running'],
    ['<rect class="s0 p" x="X" y="Y" width="12" height="12"/>', 'replica the plan would create'],
    ['<rect class="box bad" x="X" y="Y" width="12" height="12"/>', 'machine unhealthy or not running'],
  ];
  let x = PAD;
  for (const [mark, text] of colours.size ? key : key.filter((_, k) => k === 0 || k === 3)) {
    body.push(mark.replace(/\bX\b/g, String(x)).replace(/\bY6\b/g, String(y + 6)).replace(/\bY\b/g, String(y)));
    body.push(`<text class="dim" x="${x + 18}" y="${y + 10}">${text}</text>`);
    x += 18 + text.length * CHAR + 24;
  }
  body.push('</g>');
  return y + 12;
}

function groupTitle(g: Group): string {
  const role = g.role ? `${g.role}s` : 'no swarm role';
  if (!g.labels) return role;
  return `${role} · ${g.labels.map(([k, v]) => `${k}=${v}`).join(', ') || 'no labels'}`;
}

function tooltip(view: MachineView, withLabels: boolean): string {
  const m = view.machine;
  const perService = new Map<string, number>();
  for (const r of view.replicas) perService.set(r.service, (perService.get(r.service) ?? 0) + 1);
  const lines = [
    `${m.name} · ${m.role ?? 'no swarm role'} · ${m.driver} · ${m.state}`,
    ...(m.problem ? [`problem: ${m.problem}`] : []),
    ...(withLabels ? [`labels: ${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`] : []),
    `reserved cpu ${cpus(m.reserved.cpus)}/${m.cpus ?? '?'}, memory ${formatBytes(m.reserved.memory)}/${m.memory ? formatBytes(m.memory) : '?'}`,
    `replicas ${[...perService].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
  ];
  return `<title>${xmlText(lines.join('\n'))}</title>`;
}

function frame(view: MachineView, x: number, y: number, w: number, h: number): string {
  const known = view.machine.cpus && view.machine.memory;
  const fill = Math.min(1, view.reservedFraction) * h;
  return (
    `<rect class="box${known ? '' : ' unknown'}${view.unhealthy ? ' bad' : ''}"${x || y ? ` x="${x}" y="${y}"` : ''} width="${w}" height="${h}"/>` +
    (fill > 0 ? `<rect class="res" x="${x + 1}" y="${round(y + h - fill)}" width="${round(w - 2)}" height="${round(Math.max(0, fill - 1))}"/>` : '')
  );
}

function detailedBox(view: MachineView, x: number, y: number, w: number, h: number, cls: Map<string, string>): string {
  const m = view.machine;
  const chars = (room: number) => Math.max(1, Math.floor(room / CHAR));
  const out = [`<g class="machine" data-machine="${xmlText(m.name)}">`, tooltip(view, true), frame(view, x, y, w, h)];
  const role = m.role ?? '';
  out.push(`<text class="b" x="${x + 6}" y="${y + 15}">${fitText(m.name, chars(w - 12 - role.length * CHAR - 8))}</text>`);
  if (role) out.push(`<text class="dim" x="${x + w - 6}" y="${y + 15}" text-anchor="end">${xmlText(role)}</text>`);
  const state = `${m.driver} · ${m.state}${m.problem ? ` · ${m.problem}` : ''}`;
  out.push(`<text class="${view.unhealthy ? 'warn' : 'dim'}" x="${x + 6}" y="${y + 29}">${fitText(state, chars(w - 12))}</text>`);
  const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  out.push(`<text x="${x + 6}" y="${y + 43}">${fitText(labels || 'no labels', chars(w - 12))}</text>`);
  const reserved = `cpu ${cpus(m.reserved.cpus)}/${m.cpus ?? '?'} · mem ${formatBytes(m.reserved.memory)}/${m.memory ? formatBytes(m.memory) : '?'}`;
  out.push(`<text class="dim" x="${x + 6}" y="${y + 57}">${fitText(reserved, chars(w - 12))}</text>`);
  out.push(blocks(view.replicas, x + 6, y + 64, w - 12, h - 70, cls));
  out.push('</g>');
  return out.join('');
}

/** One block per replica when they fit (12 px, else 6 px), else one bar per service as long as its share. */
function blocks(replicas: Replica[], x: number, y: number, w: number, h: number, cls: Map<string, string>): string {
  for (const [size, gap] of [
    [12, 2],
    [6, 1],
  ] as const) {
    const cols = Math.floor((w + gap) / (size + gap));
    const rows = Math.floor((h + gap) / (size + gap));
    if (replicas.length > cols * rows) continue;
    return replicas
      .map((r, i) => {
        const bx = x + (i % cols) * (size + gap);
        const by = y + Math.floor(i / cols) * (size + gap);
        const mark = r.state === 'running' ? '' : r.state === 'down' ? ' down' : ' p';
        return `<rect class="${cls.get(r.service)}${mark}" x="${bx}" y="${by}" width="${size}" height="${size}"><title>${xmlText(`${r.service} #${r.replica}: ${r.detail}`)}</title></rect>`;
      })
      .join('');
  }
  return stripe(replicas, x, y, w, Math.min(h, 14), cls);
}

/** Drawn at its own origin (translate) so that 2,000 of them repeat short numbers. */
function compactBox(view: MachineView, x: number, y: number, w: number, h: number, cls: Map<string, string>): string {
  const placed = view.replicas.filter((r) => r.state !== 'pending');
  return `<g class="machine" transform="translate(${x},${y})">${tooltip(view, false)}${frame(view, 0, 0, w, h)}${stripe(placed, 1, 1, w - 2, Math.min(5, h - 2), cls)}</g>`;
}

/** Replicas as one bar split by service, each part as long as that service's share of them. */
function stripe(replicas: Replica[], x: number, y: number, w: number, h: number, cls: Map<string, string>): string {
  if (!replicas.length) return '';
  const perService = new Map<string, number>();
  for (const r of replicas) perService.set(r.service, (perService.get(r.service) ?? 0) + 1);
  let at = x;
  return [...perService]
    .map(([s, n]) => {
      const part = (w * n) / replicas.length;
      const rect = `<rect class="${cls.get(s)} t" x="${round(at)}" y="${y}" width="${round(part)}" height="${h}"/>`;
      at += part;
      return rect;
    })
    .join('');
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}

function cpus(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
