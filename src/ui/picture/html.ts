// The SVG picture in a web page of its own: no script, no external font or file, and a
// Content-Security-Policy that would stop either even if one slipped in.
import { xmlText } from './escape.js';
import type { PictureInput } from './model.js';
import { renderClusterSvg } from './svg.js';

export function renderClusterHtml(input: PictureInput): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${xmlText(`cluster "${input.report.cluster}"`)}</title>`,
    '<style>body{margin:0;background:#ffffff}svg{display:block}</style>',
    '</head>',
    '<body>',
    renderClusterSvg(input),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
