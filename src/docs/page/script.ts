/**
 * The page's own script (plain browser JavaScript, kept free of backquotes and dollar-braces so it
 * can live in this string). It expects, before it: the data (`#qdbt-docs-data`, JSON), dagre (the
 * global `dagre`), and the lineage functions of ../lineage.ts (`neighbourhood`, `edgesWithin`,
 * `adjacency`). Text from the project is only ever set as textContent, never as HTML.
 */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('qdbt-docs-data').textContent);
  var nodes = data.nodes;
  var adj = adjacency(nodes.length, data.edges);
  var indexOf = new Map();
  nodes.forEach(function (n, i) { indexOf.set(n.id, i); });
  var LIST_PAGE = 300;
  var LINEAGE_LIMIT = 300;
  var KIND_ORDER = ['model', 'source', 'seed', 'test', 'landing', 'file'];
  var KIND_LABEL = { model: 'models', source: 'sources', seed: 'seeds', test: 'tests', landing: 'landings', file: 'landed files' };
  var state = { query: '', kinds: { model: true, source: true, seed: true, test: true, landing: true, file: false },
    up: Infinity, down: Infinity, showTests: false, showFiles: true, selected: -1, open: {} };
  var haystack = null;

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function href(id) { return '#!/' + encodeURIComponent(id); }
  function fmtInt(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }
  function fmtBytes(n) {
    if (n === null || n === undefined) return '';
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var i = 0; var v = Number(n);
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
  }
  function statusBadge(status) {
    return status ? el('span', { class: 'st st-' + String(status).replace(/ /g, '-'), text: status }) : null;
  }
  function kindBadge(kind) { return el('span', { class: 'badge k-' + kind, text: kind }); }
  function link(i) {
    var n = nodes[i];
    return el('a', { href: href(n.id), title: n.id }, n.name);
  }

  // ---------------------------------------------------------------- the list
  function matches(i) {
    if (!state.kinds[nodes[i].kind]) return false;
    if (!state.query) return true;
    if (!haystack) haystack = nodes.map(function (n) {
      return (n.name + ' ' + n.id + ' ' + n.group + ' ' + n.tags.join(' ') + ' ' + n.description).toLowerCase();
    });
    var words = state.query.split(/\\s+/);
    for (var w = 0; w < words.length; w++) if (words[w] && haystack[i].indexOf(words[w]) < 0) return false;
    return true;
  }

  function renderList() {
    var list = document.getElementById('list');
    list.textContent = '';
    var groups = new Map();
    for (var i = 0; i < nodes.length; i++) {
      if (!matches(i)) continue;
      var key = nodes[i].group;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(i);
    }
    var keys = Array.from(groups.keys()).sort();
    if (keys.length === 0) list.appendChild(el('div', { class: 'more muted', text: 'Nothing matches.' }));
    var openAll = !!state.query || keys.length === 1;
    keys.forEach(function (key) {
      var members = groups.get(key).sort(function (a, b) {
        return KIND_ORDER.indexOf(nodes[a].kind) - KIND_ORDER.indexOf(nodes[b].kind) || (nodes[a].name < nodes[b].name ? -1 : 1);
      });
      var box = el('div', { class: 'group' });
      var body = el('div');
      var shown = 0;
      function more() {
        var next = Math.min(members.length, shown + LIST_PAGE);
        for (; shown < next; shown++) {
          var j = members[shown];
          body.appendChild(el('a', { class: 'item' + (j === state.selected ? ' selected' : ''), href: href(nodes[j].id), title: nodes[j].id },
            kindBadge(nodes[j].kind), nodes[j].name));
        }
        var old = body.querySelector('.more');
        if (old) old.remove();
        if (shown < members.length)
          body.appendChild(el('button', { class: 'more', onclick: more, text: 'show ' + Math.min(LIST_PAGE, members.length - shown) + ' more of ' + (members.length - shown) }));
      }
      var isOpen = openAll || state.open[key] || (state.selected >= 0 && nodes[state.selected].group === key);
      var toggle = el('button', { onclick: function () {
        state.open[key] = !body.childElementCount;
        if (state.open[key]) more(); else { body.textContent = ''; shown = 0; }
      } }, key + ' ', el('span', { class: 'count', text: '(' + members.length + ')' }));
      box.appendChild(toggle);
      box.appendChild(body);
      if (isOpen) more();
      list.appendChild(box);
    });
  }

  // ---------------------------------------------------------------- lineage
  function labelOf(n) {
    var sub = n.kind;
    if (n.kind === 'model') sub = 'model · ' + (n.materialized || '');
    if (n.kind === 'test' || n.kind === 'model' || n.kind === 'seed') { if (n.status) sub += ' · ' + n.status; }
    if (n.kind === 'landing') sub = n.landing.format + ' → ' + n.landing.lake_path;
    if (n.kind === 'file') sub = n.file.status === 'landed'
      ? fmtInt(n.file.rows) + ' rows · ' + fmtBytes(n.file.bytes) + (n.file.partition ? ' · ' + n.file.partition : '')
      : 'quarantined';
    return [n.name, sub];
  }
  function clip(text, max) { return text.length > max ? text.slice(0, max - 1) + '…' : text; }

  function drawLineage(start) {
    var box = document.getElementById('lineage');
    var info = document.getElementById('lineage-info');
    box.textContent = '';
    var include = function (i) {
      var kind = nodes[i].kind;
      return i === start || (kind !== 'test' || state.showTests) && (kind !== 'file' || state.showFiles);
    };
    var hood = neighbourhood(adj.parents, adj.children, start, state.up, state.down, LINEAGE_LIMIT, include);
    info.textContent = hood.truncated
      ? 'Showing the ' + hood.nodes.length + ' nearest of ' + hood.reachable + ' nodes: lower the depth to see the rest.'
      : hood.nodes.length + ' nodes';
    if (typeof dagre === 'undefined') { box.appendChild(el('div', { class: 'muted', text: 'The layout library did not load.' })); return; }
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 46, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(function () { return {}; });
    hood.nodes.forEach(function (i) {
      var lines = labelOf(nodes[i]).map(function (t) { return clip(String(t), 40); });
      var width = Math.max(110, Math.min(280, 16 + 6.4 * Math.max(lines[0].length, lines[1].length)));
      g.setNode(String(i), { width: width, height: 36, lines: lines });
    });
    edgesWithin(adj.children, hood.nodes).forEach(function (e) { g.setEdge(String(e[0]), String(e[1])); });
    dagre.layout(g);
    var size = g.graph();
    // Fit the whole graph when shrinking it by half at most does it; else scroll to the selected node.
    var scale = Math.max(0.5, Math.min(1, (box.clientWidth - 4) / size.width));
    var root = svg('svg', { width: Math.ceil(size.width * scale), height: Math.ceil(size.height * scale),
      viewBox: '0 0 ' + Math.ceil(size.width) + ' ' + Math.ceil(size.height), role: 'img', 'aria-label': 'lineage' });
    var defs = svg('defs');
    var marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#98a2b3' }));
    defs.appendChild(marker);
    root.appendChild(defs);
    g.edges().forEach(function (e) {
      var pts = g.edge(e).points;
      var d = pts.map(function (p, k) { return (k ? 'L' : 'M') + p.x.toFixed(1) + ' ' + p.y.toFixed(1); }).join(' ');
      root.appendChild(svg('path', { class: 'edge', d: d, 'marker-end': 'url(#arrow)' }));
    });
    g.nodes().forEach(function (v) {
      var i = Number(v); var n = nodes[i]; var box2 = g.node(v);
      var group = svg('g', { class: 'node' + (i === start ? ' selected' : ''), transform: 'translate(' + (box2.x - box2.width / 2) + ',' + (box2.y - box2.height / 2) + ')' });
      var color = getComputedStyle(document.documentElement).getPropertyValue('--' + n.kind) || '#888';
      if (n.kind === 'file' && n.file.status === 'quarantined') color = getComputedStyle(document.documentElement).getPropertyValue('--bad');
      var rect = svg('rect', { width: box2.width, height: box2.height, stroke: color.trim() });
      var title = svg('title'); title.textContent = n.id;
      var t1 = svg('text', { x: 8, y: 15 }); t1.textContent = box2.lines[0];
      var t2 = svg('text', { x: 8, y: 29, class: 'sub' }); t2.textContent = box2.lines[1];
      group.appendChild(title); group.appendChild(rect); group.appendChild(t1); group.appendChild(t2);
      group.addEventListener('click', function () { location.hash = href(n.id); });
      root.appendChild(group);
    });
    box.appendChild(root);
    var selected = root.querySelector('.selected');
    if (selected && box.scrollWidth > box.clientWidth) {
      var m = /translate\\(([-\\d.]+)/.exec(selected.getAttribute('transform'));
      if (m) box.scrollLeft = Math.max(0, Number(m[1]) * scale - box.clientWidth / 2);
    }
  }

  function depthSelect(label, key) {
    var select = el('select', { onchange: function () {
      state[key] = this.value === 'all' ? Infinity : Number(this.value);
      drawLineage(state.selected);
    } });
    ['0', '1', '2', '3', '5', 'all'].forEach(function (v) {
      var option = el('option', { value: v, text: v });
      if ((v === 'all' && state[key] === Infinity) || Number(v) === state[key]) option.selected = true;
      select.appendChild(option);
    });
    return el('label', null, label + ' ', select);
  }
  function toggle(label, key) {
    var box = el('input', { type: 'checkbox', onchange: function () { state[key] = this.checked; drawLineage(state.selected); } });
    box.checked = state[key];
    return el('label', null, box, ' ' + label);
  }

  // ---------------------------------------------------------------- the node page
  function kv(rows) {
    var table = el('table', { class: 'kv' });
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === '') return;
      table.appendChild(el('tr', null, el('th', { text: r[0] }), el('td', null, typeof r[1] === 'object' ? r[1] : String(r[1]))));
    });
    return table;
  }
  function chips(list) {
    if (!list || !list.length) return null;
    var span = el('span');
    list.forEach(function (t) { span.appendChild(el('span', { class: 'chip', text: t })); });
    return span;
  }
  function section(title) { return el('h3', { text: title }); }

  function showNode(i) {
    state.selected = i;
    var n = nodes[i];
    var main = document.getElementById('main');
    main.textContent = '';
    document.title = n.name + ' · ' + data.project + ' docs';
    main.appendChild(el('h2', null, kindBadge(n.kind), n.name, ' ', statusBadge(n.status)));
    main.appendChild(el('div', { class: 'id', text: n.id }));
    if (n.description) main.appendChild(el('div', { class: 'desc', text: n.description }));
    var rows = [['path', n.path], ['relation', n.relation], ['materialized', n.materialized], ['tags', chips(n.tags)]];
    if (n.message && n.kind !== 'file') rows.push(['last run', n.message]);
    if (n.catalog) {
      rows.push(['warehouse type', n.catalog.type], ['owner', n.catalog.owner], ['comment', n.catalog.comment]);
      Object.keys(n.catalog.stats).forEach(function (k) {
        var v = n.catalog.stats[k];
        rows.push([k.toLowerCase(), k === 'Bytes' ? fmtBytes(v) : k === 'Last modified' ? new Date(Number(v)).toISOString() : v]);
      });
    }
    if (n.landing) {
      var l = n.landing;
      rows.push([l.kind === 'stream' ? 'topic' : 'file pattern', l.kind === 'stream' ? l.topic : l.pattern], ['format', l.format],
        ['lake path', l.lake_path], ['partitioned by', l.partition_by], ['staging table', l.staging_table],
        ['files landed', fmtInt(l.files_landed)], ['rows landed', fmtInt(l.rows_landed)], ['bytes landed', fmtBytes(l.bytes_landed)],
        ['files quarantined', fmtInt(l.files_quarantined)], ['last landed', l.last_landed_at]);
    }
    if (n.file) {
      var f = n.file;
      rows.push(['status', statusBadge(f.status)], ['source file', f.source_path], ['landed as', f.path], ['partition', f.partition],
        ['rows', fmtInt(f.rows)], ['rows rejected', fmtInt(f.rows_rejected)], ['bytes', fmtBytes(f.bytes)],
        ['landed bytes', fmtBytes(f.landed_bytes)], ['sha256', f.checksum], ['version', f.version], ['at', f.at], ['reason', f.reason]);
    }
    main.appendChild(kv(rows));

    main.appendChild(section('Lineage'));
    main.appendChild(el('div', { class: 'lineage-controls' }, depthSelect('upstream', 'up'), depthSelect('downstream', 'down'),
      toggle('tests', 'showTests'), toggle('landed files', 'showFiles'), el('span', { id: 'lineage-info', class: 'hint' })));
    main.appendChild(el('div', { id: 'lineage' }));
    drawLineage(i);

    if (n.landing) {
      var files = adj.parents[i].filter(function (p) { return nodes[p].kind === 'file'; });
      main.appendChild(section('Latest files (' + files.length + (n.landing.files_not_shown ? ', ' + n.landing.files_not_shown + ' older in the ledger' : '') + ')'));
      if (!data.ledger.read) main.appendChild(el('div', { class: 'muted', text: 'The ledger was not read for this build.' }));
      var ft = el('table', null, el('tr', null, el('th', { text: 'file' }), el('th', { text: 'status' }), el('th', { text: 'rows' }),
        el('th', { text: 'bytes' }), el('th', { text: 'partition' }), el('th', { text: 'sha256' }), el('th', { text: 'at' })));
      files.sort(function (a, b) { return nodes[a].file.at < nodes[b].file.at ? 1 : -1; }).forEach(function (p) {
        var f2 = nodes[p].file;
        ft.appendChild(el('tr', null, el('td', null, link(p)), el('td', null, statusBadge(f2.status)), el('td', { text: fmtInt(f2.rows) }),
          el('td', { text: fmtBytes(f2.bytes) }), el('td', { text: f2.partition || f2.reason || '' }),
          el('td', { text: f2.checksum.slice(0, 12) }), el('td', { text: f2.at })));
      });
      main.appendChild(ft);
    }

    if (n.columns.length) {
      main.appendChild(section('Columns'));
      var ct = el('table', null, el('tr', null, el('th', { text: 'column' }), el('th', { text: 'type' }), el('th', { text: 'description' }), el('th', { text: 'tests' })));
      n.columns.forEach(function (c) {
        ct.appendChild(el('tr', null, el('td', { text: c.name }), el('td', { text: c.type || '' }), el('td', { text: c.description }), el('td', null, chips(c.tests))));
      });
      main.appendChild(ct);
    }
    if (n.tests.length) {
      main.appendChild(section('Data tests'));
      var tt = el('table', null, el('tr', null, el('th', { text: 'test' }), el('th', { text: 'column' }), el('th', { text: 'last status' })));
      n.tests.forEach(function (t) {
        var at = indexOf.get(t.id);
        tt.appendChild(el('tr', null, el('td', null, at === undefined ? t.name : link(at)), el('td', { text: t.column || '' }),
          el('td', null, statusBadge(t.status) || el('span', { class: 'muted', text: data.run_results ? 'not run' : 'no run_results.json' }))));
      });
      main.appendChild(tt);
    }
    var ups = adj.parents[i]; var downs = adj.children[i];
    main.appendChild(section('Depends on (' + ups.length + ')'));
    main.appendChild(linkList(ups));
    main.appendChild(section('Referenced by (' + downs.length + ')'));
    main.appendChild(linkList(downs));
    if (n.raw_sql) {
      main.appendChild(section('Source SQL'));
      main.appendChild(el('pre', { text: n.raw_sql }));
    }
    if (n.compiled_sql) {
      main.appendChild(section('Compiled SQL'));
      main.appendChild(el('pre', { text: n.compiled_sql }));
    }
    main.scrollTop = 0;
    document.querySelectorAll('#list .item.selected').forEach(function (a) { a.classList.remove('selected'); });
    var item = document.querySelector('#list .item[href="' + href(n.id).replace(/"/g, '\\\\"') + '"]');
    if (item) item.classList.add('selected');
    else if (document.getElementById('list').childElementCount) renderList();
  }

  function linkList(indices) {
    if (!indices.length) return el('div', { class: 'muted', text: 'none' });
    var ul = el('ul', { class: 'links' });
    indices.slice(0, 500).forEach(function (j) { ul.appendChild(el('li', null, kindBadge(nodes[j].kind), link(j))); });
    if (indices.length > 500) ul.appendChild(el('li', { class: 'muted', text: (indices.length - 500) + ' more' }));
    return ul;
  }

  function showOverview() {
    state.selected = -1;
    var main = document.getElementById('main');
    main.textContent = '';
    document.title = data.project + ' docs';
    main.appendChild(el('h2', { text: data.project }));
    var counts = {};
    nodes.forEach(function (n) { counts[n.kind] = (counts[n.kind] || 0) + 1; });
    main.appendChild(kv(KIND_ORDER.filter(function (k) { return counts[k]; }).map(function (k) { return [KIND_LABEL[k], fmtInt(counts[k])]; })
      .concat([['generated', data.generated_at], ['last run', data.run_results ? data.run_results.which + ' at ' + data.run_results.generated_at : 'no run_results.json']])));
    var landings = [];
    nodes.forEach(function (n, i) { if (n.kind === 'landing') landings.push(i); });
    if (landings.length) {
      main.appendChild(section('Ingested sources'));
      var t = el('table', null, el('tr', null, el('th', { text: 'landing' }), el('th', { text: 'source' }), el('th', { text: 'files' }),
        el('th', { text: 'rows' }), el('th', { text: 'quarantined' }), el('th', { text: 'last landed' })));
      landings.forEach(function (i) {
        var l = nodes[i].landing;
        var source = adj.children[i].filter(function (c) { return nodes[c].kind === 'source'; })[0];
        t.appendChild(el('tr', null, el('td', null, link(i)), el('td', null, source === undefined ? '' : link(source)),
          el('td', { text: fmtInt(l.files_landed) }), el('td', { text: fmtInt(l.rows_landed) }), el('td', { text: fmtInt(l.files_quarantined) }),
          el('td', { text: l.last_landed_at || '' })));
      });
      main.appendChild(t);
    }
    main.appendChild(el('p', { class: 'muted', text: 'Pick a node on the left (or search) to see its columns, SQL, tests and lineage.' }));
  }

  function route() {
    var m = /^#!\\/(.+)$/.exec(location.hash);
    var i = m ? indexOf.get(decodeURIComponent(m[1])) : undefined;
    if (i === undefined) showOverview(); else showNode(i);
  }

  // ---------------------------------------------------------------- start
  document.getElementById('project').textContent = data.project;
  document.getElementById('generated').textContent = 'generated ' + data.generated_at + ' · qdbt ' + data.qdbt_version;
  var notes = document.getElementById('notes');
  data.notes.forEach(function (note) { notes.appendChild(el('div', { text: note })); });
  var kinds = document.getElementById('kinds');
  KIND_ORDER.forEach(function (k) {
    var box = el('input', { type: 'checkbox', onchange: function () { state.kinds[k] = this.checked; renderList(); } });
    box.checked = state.kinds[k];
    kinds.appendChild(el('label', null, box, ' ' + KIND_LABEL[k]));
  });
  var timer = null;
  document.getElementById('search').addEventListener('input', function () {
    var value = this.value.trim().toLowerCase();
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = value; renderList(); }, 120);
  });
  window.addEventListener('hashchange', route);
  route();
  renderList();
  window.qdbtDocs = { data: data, neighbourhood: function (id, up, down) {
    var hood = neighbourhood(adj.parents, adj.children, indexOf.get(id), up, down, Infinity);
    return hood.nodes.map(function (j) { return nodes[j].id; });
  } };
})();
`;
