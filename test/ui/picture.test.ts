// The picture of a cluster (src/ui/picture/): what it draws for 10 and for 2,000 machines, and that
// no text a user wrote (labels, names) can become markup.
import { describe, expect, test } from 'vitest';
import { fitText, xmlText } from '../../src/ui/picture/escape.js';
import { renderClusterHtml } from '../../src/ui/picture/html.js';
import { serviceColours } from '../../src/ui/picture/palette.js';
import { DETAIL_LIMIT, renderClusterSvg } from '../../src/ui/picture/svg.js';
import { syntheticCluster } from './picture-fixture.js';

/** Every element name in the markup: the picture is made of these and nothing else. */
function elements(markup: string): Set<string> {
  return new Set([...markup.matchAll(/<\/?([A-Za-z!][\w:-]*)/g)].map((m) => m[1]!.toLowerCase()));
}
const SVG_ELEMENTS = ['svg', 'title', 'style', 'rect', 'text', 'tspan', 'g'];

/** The machine groups in order, each with its box's width and height. */
function machineBoxes(svg: string): { name: string; width: number; height: number; bad: boolean }[] {
  return [...svg.matchAll(/<g class="machine" data-machine="([^"]*)">.*?<rect class="box([^"]*)"[^>]*? width="([\d.]+)" height="([\d.]+)"/gs)].map((m) => ({
    name: m[1]!,
    bad: m[2]!.includes('bad'),
    width: Number(m[3]),
    height: Number(m[4]),
  }));
}

describe('ten machines: one detailed box each', () => {
  const input = syntheticCluster(10, { perMachine: 3 });
  const svg = renderClusterSvg(input);

  test('a box per machine, named, wider for more cpus and taller for more memory', () => {
    const boxes = machineBoxes(svg);
    expect(boxes.map((b) => b.name).sort()).toEqual(input.report.machines.map((m) => m.name).sort());
    const big = boxes.find((b) => b.name === 'm-1')!; // 16 cpus, 64 GiB
    const small = boxes.find((b) => b.name === 'm-2')!; // 4 cpus, 8 GiB
    expect(big.width).toBeGreaterThan(small.width);
    expect(big.height).toBeGreaterThan(small.height);
    // the stopped machine (m-6) is outlined as unhealthy, no other
    expect(boxes.filter((b) => b.bad).map((b) => b.name)).toEqual(['m-6']);
  });

  test('a block per replica in its service colour, faded when not running, dashed when only planned', () => {
    const cls = new Map([...serviceColours(['web', 'api', 'db', 'cache', 'huge']).keys()].map((s, i) => [s, `s${i}`]));
    for (const c of input.report.containers) {
      const block = new RegExp(`<rect class="${cls.get(c.service)}${c.state === 'running' ? '' : ' down'}" [^>]*><title>${c.service} #${c.replica}: ${c.state}</title>`);
      expect(svg, `${c.service} #${c.replica}`).toMatch(block);
    }
    expect(svg.match(/<title>[^<]* #\d+: /g)).toHaveLength(input.report.containers.length + 1);
    expect(svg).toMatch(new RegExp(`<rect class="${cls.get('web')} p" [^>]*><title>web #9999: to create</title>`));
    // each service's colour is defined once in the style
    for (const [service, colour] of serviceColours(['web', 'api', 'db', 'cache', 'huge'])) expect(svg).toContain(`.${cls.get(service)}{fill:${colour};stroke:${colour}}`);
  });

  test('reservations fill the box from the bottom as far as the larger share goes', () => {
    // m-2: 4 cpus, 0.8 reserved (20%); 8 GiB, 2 GiB reserved (25%): a quarter of the box
    const m2 = svg.match(/data-machine="m-2">.*?<rect class="box" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"\/><rect class="res" [^>]*y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/s)!;
    const [top, height, fillTop, fill] = [Number(m2[2]), Number(m2[4]), Number(m2[5]), Number(m2[6])];
    expect(fillTop + fill + 1).toBeCloseTo(top + height, 0);
    expect((fill + 1) / height).toBeCloseTo(0.25, 1);
    // m-1 reserves nothing: no fill
    expect(svg).not.toMatch(/data-machine="m-1">(?:(?!<\/g>).)*class="res"/s);
    expect(svg).toMatch(/data-machine="m-2">(?:(?!<\/g>).)*class="res"/s);
  });

  test('roles and labels are shown on the boxes; unschedulable replicas are called out with the reason', () => {
    expect(svg).toMatch(/data-machine="m-1">.*?>manager<\/text>.*?>zone=eu, size=xxl<\/text>/s);
    expect(svg).toMatch(/data-machine="m-4">.*?>worker<\/text>/s);
    expect(svg).toContain('3 replicas cannot be placed');
    expect(svg).toContain('huge 1-3: 0/10 machines can take huge-1: 10 not enough cpu');
    expect(svg).toMatch(/<tspan class="b">huge<\/tspan> 0 running · 3 unschedulable/);
  });

  test('the only elements are SVG shapes and text: self-contained, no link, image or script', () => {
    expect([...elements(svg)].sort()).toEqual([...SVG_ELEMENTS].sort());
    expect(svg).not.toMatch(/href|url\(|@import|@font-face/);
    const html = renderClusterHtml(input);
    expect([...elements(html)].sort()).toEqual([...SVG_ELEMENTS, '!doctype', 'html', 'head', 'meta', 'body'].sort());
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });
});

describe('user text is escaped everywhere it is written', () => {
  const evil = '<script>alert("x")</script>';
  const input = syntheticCluster(12, { labels: { note: evil, 'k"&\'<': `a\u0000b\u001bc` }, services: ['web', '<b>bold</b>'] });
  input.report.machines[1]!.name = `m"><script>alert(1)</script>`;
  input.report.cluster = `</title><script>alert(2)</script>`;
  input.unschedulable[0]!.summary = `0/12 machines: ${evil}`;

  for (const [kind, markup] of [
    ['svg', renderClusterSvg(input)],
    ['html', renderClusterHtml(input)],
    ['svg, 2,000 machines', renderClusterSvg({ ...input, report: { ...input.report, machines: [...input.report.machines, ...syntheticCluster(2000).report.machines.slice(12)] } })],
  ] as const) {
    test(kind, () => {
      expect(elements(markup).has('script')).toBe(false);
      expect(elements(markup).has('b')).toBe(false);
      expect(markup).toContain('&lt;script&gt;');
      // no control character an XML parser refuses
      expect(markup).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    });
  }

  test('xmlText escapes the five XML characters and replaces what XML cannot hold', () => {
    expect(xmlText(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(xmlText('a\u0000b\uD800c\u001b')).toBe('a\uFFFDb\uFFFDc\uFFFD');
    expect(xmlText('zone 🌍 é')).toBe('zone 🌍 é');
  });

  test('cutting text to a width never splits an escape or a character', () => {
    expect(fitText('&'.repeat(50), 10)).toBe('&amp;'.repeat(9) + '…');
    expect(fitText('🌍'.repeat(5), 3)).toBe('🌍🌍…');
    expect(fitText('short', 10)).toBe('short');
  });
});

describe('2,000 machines: small boxes grouped by role and labels', () => {
  const input = syntheticCluster(2000, { perMachine: 5 });
  const svg = renderClusterSvg(input);

  test('every machine is drawn, in groups headed by their role and labels', () => {
    expect(svg.match(/<g class="machine" transform=/g)).toHaveLength(2000);
    const headings = [...svg.matchAll(/<text class="b" [^>]*>((?:managers|workers)[^<]*)<\/text>/g)].map((m) => m[1]);
    expect(headings).toContain('workers · size=small, zone=eu — 500 machines, 2,500 replicas');
    expect(headings).toContain('managers · size=xxl, zone=eu — 1 machine, 5 replicas');
    const inGroups = headings.reduce((n, h) => n + Number(/— ([\d,]+) machines?/.exec(h!)![1]!.replace(',', '')), 0);
    expect(inGroups).toBe(2000);
  });

  test('no per-replica blocks: one stripe part per service on a machine, and a tooltip per machine', () => {
    expect(svg).not.toMatch(/ #\d+: running/);
    const m = /<g class="machine" transform="[^"]*"><title>(m-1995 [^<]*)<\/title>((?:(?!<\/g>).)*)<\/g>/s.exec(svg)!;
    expect(m[1]).toMatch(/^m-1995 · worker · sim · running\nreserved cpu [\d.]+\/4, memory .*\nreplicas .*/);
    const servicesHere = new Set(input.report.containers.filter((c) => c.machine === 'm-1995').map((c) => c.service));
    expect(m[2]!.match(/<rect class="s\d+ t"/g)).toHaveLength(servicesHere.size);
  });

  test('stays a reasonable size: under 1.5 MB, growing linearly with machines', () => {
    expect(svg.length).toBeLessThan(1_500_000);
    const small = renderClusterSvg(syntheticCluster(200, { perMachine: 5 })).length;
    expect(svg.length / small).toBeLessThan(11);
  });

  test(`up to ${DETAIL_LIMIT} machines the boxes are detailed, above they are small`, () => {
    expect(renderClusterSvg(syntheticCluster(DETAIL_LIMIT))).toContain(`data-machine="m-${DETAIL_LIMIT}"`);
    expect(renderClusterSvg(syntheticCluster(DETAIL_LIMIT + 1))).not.toContain('data-machine=');
  });
});

test('service colours: one per service, the same whatever the order, distinct past the base palette', () => {
  expect(serviceColours(['b', 'a', 'c'])).toEqual(serviceColours(['c', 'b', 'a']));
  const many = serviceColours(Array.from({ length: 40 }, (_, i) => `svc-${i}`));
  expect(new Set(many.values()).size).toBe(40);
  for (const c of many.values()) expect(c).toMatch(/^#[0-9a-f]{6}$/);
});

test('an empty cluster says how to make it', () => {
  const { report } = syntheticCluster(0);
  expect(renderClusterSvg({ report, unschedulable: [] })).toContain('No machines. Run `cluster apply` to create them.');
});

test('a legend entry is cut to its width, however long the service name or its counts', () => {
  const long = 'a-service-with-a-very-long-name-indeed';
  const input = syntheticCluster(10, { services: [long, 'web'] });
  input.report.containers[0]!.state = 'exited';
  input.pending = [{ service: long, replica: 99, machine: 'm-1' }];
  const svg = renderClusterSvg(input);
  const entries = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+"><tspan class="b">([^<]*)<\/tspan> ([^<]*)<\/text>/g)].map((m) => `${m[1]} ${m[2]}`);
  expect(entries).toHaveLength(3); // the long one, web, huge
  for (const e of entries) expect([...e.replace(/&[a-z#0-9]+;/g, '&')].length).toBeLessThanOrEqual(Math.floor((280 - 26) / 6.4));
  expect(entries[0]).toMatch(/^a-service-with-a-… \d+ running · 1 not[^·]*…$/);
});
