// Preloaded into a CLI run (NODE_OPTIONS=--require): one stderr line per HTTP request the process
// starts (`http METHOD /path`), in order with CLUSTER_TRACE's phase lines, so a test can tell which
// requests a phase sent. Node's own diagnostics channel: nothing in the CLI is stubbed.
'use strict';
const dc = require('node:diagnostics_channel');
dc.subscribe('http.client.request.start', ({ request }) => {
  process.stderr.write(`http ${request.method} ${request.path.split('?')[0]}\n`);
});
