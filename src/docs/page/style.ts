/** The stylesheet of index.html: no web fonts, no external files (the page works from file://). */
export const PAGE_STYLE = `
:root { --fg:#1d2433; --muted:#667085; --line:#e4e7ec; --bg:#f8f9fb; --accent:#2f6fed;
  --model:#2f6fed; --source:#12a150; --seed:#8e44ad; --test:#b26b00; --landing:#0e8a8a; --file:#5b6b7f; --bad:#d92d20; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:#fff; }
header { display:flex; gap:16px; align-items:baseline; padding:10px 16px; border-bottom:1px solid var(--line); background:var(--bg); }
header h1 { font-size:16px; margin:0; }
header .meta { color:var(--muted); font-size:12px; }
#notes { margin:0; padding:0 16px; }
#notes div { margin:8px 0; padding:6px 10px; border-left:3px solid #f79009; background:#fffaeb; font-size:13px; }
#layout { display:flex; height:calc(100vh - 45px); }
#side { width:330px; min-width:240px; border-right:1px solid var(--line); display:flex; flex-direction:column; }
#side .controls { padding:10px; border-bottom:1px solid var(--line); }
#search { width:100%; padding:6px 8px; border:1px solid var(--line); border-radius:4px; font-size:14px; }
.kinds { display:flex; flex-wrap:wrap; gap:4px 10px; margin-top:6px; font-size:12px; color:var(--muted); }
#list { overflow:auto; flex:1; padding:4px 0 20px; }
.group > button { display:block; width:100%; text-align:left; border:0; background:none; padding:4px 10px; font-weight:600; cursor:pointer; color:var(--fg); }
.group > button .count { color:var(--muted); font-weight:400; }
.item { display:block; padding:2px 10px 2px 24px; color:var(--fg); text-decoration:none; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.item:hover, .item.selected { background:#eef4ff; }
.more { margin:4px 24px; font-size:12px; }
main { flex:1; overflow:auto; padding:16px 22px 60px; }
h2 { margin:0 0 4px; font-size:20px; word-break:break-all; }
h3 { margin:22px 0 8px; font-size:15px; }
.id { color:var(--muted); font-size:12px; word-break:break-all; }
.badge { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; color:#fff; vertical-align:middle; margin-right:6px; }
.k-model { background:var(--model); } .k-source { background:var(--source); } .k-seed { background:var(--seed); }
.k-test { background:var(--test); } .k-landing { background:var(--landing); } .k-file { background:var(--file); }
.st { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; border:1px solid currentColor; }
.st-pass, .st-success, .st-landed { color:#067647; } .st-fail, .st-error, .st-runtime-error, .st-quarantined { color:var(--bad); }
.st-warn { color:#b54708; } .st-skipped { color:var(--muted); }
.desc { white-space:pre-wrap; margin:8px 0; }
table { border-collapse:collapse; font-size:13px; }
td, th { border-bottom:1px solid var(--line); padding:4px 10px 4px 0; text-align:left; vertical-align:top; }
th { color:var(--muted); font-weight:500; }
table.kv th { width:150px; }
.chip { display:inline-block; background:#f2f4f7; border-radius:8px; padding:0 6px; margin-right:4px; font-size:12px; }
pre { background:var(--bg); border:1px solid var(--line); padding:10px; overflow:auto; font-size:12px; max-height:480px; }
a { color:var(--accent); }
.lineage-controls { display:flex; gap:14px; align-items:center; font-size:13px; margin-bottom:6px; flex-wrap:wrap; }
.lineage-controls .hint { color:var(--muted); }
#lineage { border:1px solid var(--line); border-radius:4px; overflow:auto; max-height:70vh; background:#fcfcfd; }
#lineage svg { display:block; }
#lineage .node { cursor:pointer; }
#lineage .node rect { fill:#fff; stroke-width:1.5; rx:5; }
#lineage .node.selected rect { stroke-width:3; fill:#eef4ff; }
#lineage .node text { font-size:11px; fill:var(--fg); }
#lineage .node text.sub { fill:var(--muted); font-size:10px; }
#lineage .edge { fill:none; stroke:#98a2b3; stroke-width:1.2; }
ul.links { margin:0; padding-left:18px; }
.muted { color:var(--muted); }
`;
