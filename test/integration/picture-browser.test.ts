// `cluster status --html` opened in a real browser (Debian's chromium, headless): the page of a sim
// cluster draws its machines, the services' colours, the reservations and the unschedulable callout,
// a label holding markup stays text, the SVG file parses as XML, and 2,000 machines render whole.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { serviceColours } from '../../src/ui/picture/palette.js';
import { dumpDom, ensureChromium, screenshot } from '../support/chromium.js';
import { clusterAsync } from '../support/cli.js';
import { decodePng, type Image } from '../support/png.js';

let browser: { binary: string } | { missing: string };
beforeAll(() => {
  browser = ensureChromium();
  if ('missing' in browser) console.warn(`SKIPPING the browser tests of the picture: ${browser.missing}`);
}, 600_000);

function chromium(ctx: TestContext): string {
  if ('missing' in browser) ctx.skip(browser.missing);
  return (browser as { binary: string }).binary;
}

const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

/** Pixels of exactly this colour (±2 per channel: no colour management should shift a flat fill). */
function pixelsOf(img: Image, colour: string, rows: [number, number] = [0, img.height]): number {
  const [r, g, b] = hex(colour);
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) {
    for (let x = 0; x < img.width; x++) {
      const p = img.rgb(x, y);
      if (Math.abs(p[0] - r) <= 2 && Math.abs(p[1] - g) <= 2 && Math.abs(p[2] - b) <= 2) n++;
    }
  }
  return n;
}

function notWhite(img: Image, rows: [number, number]): number {
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) for (let x = 0; x < img.width; x++) if (img.rgb(x, y).some((v) => v < 250)) n++;
  return n;
}

/** Applied; `unplaceable`: the manifest asks for replicas no machine can take, so apply exits 1 having done the rest. */
async function simCluster(name: string, manifest: string, unplaceable = false): Promise<{ dir: string; run: (...args: string[]) => ReturnType<typeof clusterAsync> }> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  writeFileSync(join(dir, 'cluster.yml'), manifest);
  const run = (...args: string[]) => clusterAsync([...args, '-f', join(dir, 'cluster.yml')], { cwd: dir, timeoutMs: 300_000 });
  const applied = await run('apply', '--auto-approve');
  expect(applied.code, applied.stderr).toBe(unplaceable ? 1 : 0);
  expect(applied.stderr).toMatch(/Apply complete/);
  return { dir, run };
}

describe('a ten-machine sim cluster', () => {
  const script = `<script>document.title='pwned'</script><img src=x onerror=alert(1)>`;
  const manifest = `name: picture-browser
machines:
  manager: { driver: sim, role: manager, labels: { size: small, note: "${script}" }, cpus: 2, memory: 4GiB }
  small: { driver: sim, count: 5, role: worker, labels: { size: small }, cpus: 2, memory: 4GiB }
  big: { driver: sim, count: 4, role: worker, labels: { size: xxl }, cpus: 8, memory: 16GiB }
services:
  web: { image: busybox, scale: 12, deploy: { resources: { reservations: { cpus: "0.5", memory: 512M } } } }
  db: { image: busybox, scale: 3, environment: [ "constraint:size==xxl" ], deploy: { resources: { reservations: { cpus: "2", memory: 4G } } } }
  cache: { image: busybox, scale: 6 }
  huge: { image: busybox, scale: 2, deploy: { resources: { reservations: { cpus: "16" } } } }
`;
  let page = '';
  let svg = '';
  beforeAll(async () => {
    const { dir, run } = await simCluster('cl-picture-10', manifest, true);
    page = join(dir, 'cluster.html');
    svg = join(dir, 'cluster.svg');
    const status = await run('status', '--html', page, '--svg', svg);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(`Wrote the picture of cluster "picture-browser" (10 machines, 21 replicas, 2 unschedulable) to ${page}`);
  }, 300_000);

  test('the screenshot shows every service colour, the reservations and the red callout', async (ctx) => {
    const img = decodePng(await screenshot(chromium(ctx), page, 1200, 900));
    expect([img.width, img.height]).toEqual([1200, 900]);
    expect(notWhite(img, [0, img.height]) / (img.width * img.height)).toBeGreaterThan(0.05);
    // each service's legend swatch (12 × 12) and its replica blocks, in the colour the palette gives it
    for (const [service, colour] of serviceColours(['web', 'db', 'cache', 'huge'])) expect(pixelsOf(img, colour), `${service} ${colour}`).toBeGreaterThan(140);
    expect(pixelsOf(img, '#dde4ee'), 'reservation fill').toBeGreaterThan(1000);
    expect(pixelsOf(img, '#fdecea'), 'unschedulable callout').toBeGreaterThan(10_000);
    expect(pixelsOf(img, '#d62728'), 'callout border and text').toBeGreaterThan(500);
  });

  test('the label holding markup is text in the page, not an element', async (ctx) => {
    const dom = await dumpDom(chromium(ctx), page);
    expect(dom).toContain('note=&lt;script&gt;document.title=\'pwned\'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(dom).not.toMatch(/<script|<img/i);
    expect(dom).toContain('<title>cluster "picture-browser"</title>');
  });

  test('the SVG file is well-formed XML to the browser, with a box per machine', async (ctx) => {
    const dom = await dumpDom(chromium(ctx), svg);
    expect(dom).not.toMatch(/parsererror|This page contains the following errors/);
    expect(dom.match(/<g class="machine" data-machine="/g)).toHaveLength(10);
    expect(decodePng(await screenshot(chromium(ctx), svg, 1200, 900)).width).toBe(1200);
  });
});

test('2,000 sim machines: a file of reasonable size that the browser renders to its last row', async (ctx) => {
  const binary = chromium(ctx);
  const { dir, run } = await simCluster(
    'cl-picture-2000',
    `name: picture-big
machines:
  manager: { driver: sim, count: 3, role: manager, labels: { zone: eu }, cpus: 4, memory: 8GiB }
  eu: { driver: sim, count: 1000, role: worker, labels: { zone: eu, size: small }, cpus: 4, memory: 8GiB }
  us: { driver: sim, count: 997, role: worker, labels: { zone: us, size: xxl }, cpus: 16, memory: 64GiB }
services:
  web: { image: busybox, scale: 3000, deploy: { resources: { reservations: { cpus: "0.5", memory: 512M } } } }
  api: { image: busybox, scale: 2000 }
`,
  );
  const page = join(dir, 'cluster.html');
  const status = await run('status', '--html', page);
  expect(status.code, status.stderr).toBe(0);
  expect(statSync(page).size).toBeLessThan(1_500_000);
  const height = Number(/<svg [^>]*height="(\d+)"/.exec(readFileSync(page, 'utf8'))![1]);
  expect(height).toBeGreaterThan(1000);
  // the whole page in one window: the last rows of boxes (above the bottom padding) are drawn too
  const img = decodePng(await screenshot(binary, page, 1200, height));
  expect([img.width, img.height]).toEqual([1200, height]);
  expect(notWhite(img, [height - 60, height - 16])).toBeGreaterThan(1000);
  for (const [service, colour] of serviceColours(['web', 'api'])) expect(pixelsOf(img, colour), service).toBeGreaterThan(1000);
}, 600_000);
