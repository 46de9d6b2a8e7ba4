// Builds docs/api-reference.html, the page the service serves at /docs, from docs/openapi.yaml.
//
// The page is one file that needs no network: Redoc's standalone script (from the `redoc`
// package installed here) and the document, as JSON, are both inline, and Redoc renders the
// page in the browser. `redocly build-docs` was not used: its page loads Redoc from a CDN, and
// the script it prerenders with differs from the CDN's, so the browser reports hydration errors.
//
// Usage (after `npm ci` here):  node build-reference.mjs          writes ../api-reference.html
//                               node build-reference.mjs --check  fails if that file is stale
import { parseYaml } from '@redocly/openapi-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const spec = join(here, '..', 'openapi.yaml');
const target = join(here, '..', 'api-reference.html');
const require = createRequire(import.meta.url);
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');
const redocVersion = require('redoc/package.json').version;

// Text placed inside a <script> element must not close it early.
function scriptSafe(text) {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

function page() {
  const document = parseYaml(readFileSync(spec, 'utf8'));
  const title = `${document.info.title} ${document.info.version}`;
  const license = readFileSync(redocBundle + '.LICENSE.txt', 'utf8').replace(/\*\//g, '* /');
  const options = { hideDownloadButton: true, expandResponses: '200', jsonSampleExpandLevel: 3 };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="docs/api-tools/build-reference.mjs, Redoc ${redocVersion}">
<title>${title}</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<noscript>This page needs JavaScript; the document itself is at
<a href="/docs/openapi.yaml">/docs/openapi.yaml</a>.</noscript>
<div id="redoc"></div>
<script>/*!
${license}*/
${scriptSafe(readFileSync(redocBundle, 'utf8'))}</script>
<script>
Redoc.init(${scriptSafe(JSON.stringify(document))},
           ${JSON.stringify(options)},
           document.getElementById("redoc"));
</script>
</body>
</html>
`;
}

const html = page();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // a missing page is as stale as an old one
  }
  if (committed !== html) {
    console.error('docs/api-reference.html does not match docs/openapi.yaml; rebuild it with\n' +
                  '  (cd docs/api-tools && npm ci && npm run build-reference)');
    process.exit(1);
  }
  console.log('docs/api-reference.html matches docs/openapi.yaml');
} else {
  writeFileSync(target, html);
  console.log(`wrote ${target} (${Math.round(html.length / 1024)} KiB)`);
}
