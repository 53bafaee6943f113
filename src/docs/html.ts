/**
 * index.html: one self-contained file (no CDN, no fetch: it works from file://). The docs data is
 * embedded as JSON; the lineage is laid out in the page by dagre (inlined), for the selected
 * node's neighbourhood only, so a 10,000-node project costs one JSON parse, not one big layout.
 */
import { adjacency, edgesWithin, neighbourhood } from './lineage.js';
import type { DocsData } from './model.js';
import { PAGE_SCRIPT } from './page/script.js';
import { PAGE_STYLE } from './page/style.js';

const DATA_ELEMENT_ID = 'qdbt-docs-data';

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderDocsHtml(data: DocsData, layoutLibrary: string): string {
  const lineageFunctions = [neighbourhood, edgesWithin, adjacency].map((f) => f.toString()).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qdbt ${escapeHtml(data.qdbt_version)}">
<title>${escapeHtml(data.project)} docs</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1 id="project"></h1><span class="meta" id="generated"></span></header>
<div id="notes"></div>
<div id="layout">
  <nav id="side">
    <div class="controls">
      <input id="search" type="search" placeholder="Search models, sources, seeds, tests..." autocomplete="off">
      <div class="kinds" id="kinds"></div>
    </div>
    <div id="list"></div>
  </nav>
  <main id="main"></main>
</div>
<script type="application/json" id="${DATA_ELEMENT_ID}">${embeddedJson(data)}</script>
<script>${scriptSafe(layoutLibrary)}</script>
<script>
${lineageFunctions}
</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** The embedded docs data of an index.html (tests, and tools that want the lineage without a browser). */
export function extractDocsData(html: string): DocsData {
  const open = `<script type="application/json" id="${DATA_ELEMENT_ID}">`;
  const start = html.indexOf(open);
  if (start < 0) throw new Error('no embedded docs data in this page');
  const end = html.indexOf('</script>', start);
  return JSON.parse(html.slice(start + open.length, end)) as DocsData;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A library's text inside <script>: a literal `</script` would end the element early. */
function scriptSafe(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}
