// One colour per service, stable for a given set of service names (sorted), so two pictures of the
// same cluster read alike.

/** Okabe–Ito and Tableau-like hues that stay apart for colour-blind readers; more services get golden-angle hues. */
const BASE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#7f3c8d', '#11a579', '#3969ac', '#f2b701', '#80ba5a'];

export function serviceColours(services: Iterable<string>): Map<string, string> {
  const names = [...new Set(services)].sort();
  return new Map(names.map((name, i) => [name, i < BASE.length ? BASE[i]! : goldenHue(i)]));
}

function goldenHue(i: number): string {
  const h = (i * 137.508) % 360;
  return hslToHex(h, 0.55, 0.5);
}

function hslToHex(h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return '#' + [f(0), f(8), f(4)].map((x) => Math.round(x * 255).toString(16).padStart(2, '0')).join('');
}

/** The red unschedulable replicas and unhealthy machines are called out in. */
export const ALERT = '#d62728';
