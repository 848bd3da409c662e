// spacewalk console: talks to the server's API only (docs/console.md); nothing from the network.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const HELMET = [
  // [channel, label, digits]
  ["p_suit_kPa", "suit pressure", 1],
  ["o2_time_min", "O2 time left", 0],
  ["o2_margin_min", "O2 margin", 0],
  ["o2_primary_kg", "O2 primary", 3],
  ["ppco2_mmHg", "CO2 (ppCO2)", 1],
  ["battery_Ah", "battery", 1],
  ["feedwater_kg", "feedwater", 2],
  ["scrubber_used_pct", "scrubber used", 0],
  ["cooling_W", "cooling", 0],
  ["heat_storage_kJ", "heat storage", 0],
  ["helmet_water_L", "helmet water", 2],
  ["tissue_ratio", "tissue ratio", 2],
];
const DEFAULT_CHARTS = ["helmet_water_L", "p_suit_kPa", "o2_time_min", "heat_storage_kJ"];
const POSITION = ["x_m", "y_m", "z_m", "range_m", "tether_taut", "sunlit", "location", "activity"];
const PALETTE = ["#58a6ff", "#f778ba", "#3fb950", "#d29922", "#a371f7", "#39c5cf"];
const FAULT_PARAM = {
  "water-intrusion": ["rate_mL_min", "water flow [mL/min]", 300],
  "suit-leak": ["hole_diameter_mm", "hole diameter [mm]", 1.0],
  "cooling-failure": ["remaining_fraction", "cooling left [fraction 0-1]", 0.0],
};

const S = {
  state: null, dict: null, key: "", serial: -1,
  data: {},        // id -> {t: [s], v: []}
  latest: {},      // id -> value
  events: [], acked: new Set(),
  charts: [],      // {channel, plot, el}
  dirty: false,
};

// ------------------------------------------------------------------ API

async function api(path, body) {
  const opts = { headers: {} };
  if (TOKEN) opts.headers.Authorization = "Bearer " + TOKEN;
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const out = await r.json().catch(() => ({ error: "bad reply from the server" }));
  if (!r.ok) {
    let text = out.error || r.statusText;
    if (out.issues) text += "\n" + out.issues.map(i => `  ${i.path}: ${i.problem}${i.fix ? " (fix: " + i.fix + ")" : ""}`).join("\n");
    showError(text);
    throw new Error(text);
  }
  showError("");
  return out;
}

function showError(text) {
  const el = document.getElementById("error");
  el.textContent = text;
  el.hidden = !text;
}

const $ = id => document.getElementById(id);
const met = t => {
  const s = Math.max(0, Math.round(t));
  const p = n => String(n).padStart(2, "0");
  return `T+${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
};
// an axis tick: hours and minutes only (a full T+HH:MM:SS per tick runs together)
const metTick = t => {
  const m = Math.max(0, Math.round(t / 60));
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
};
const tOf = ts => (ts - (S.dict ? S.dict.epoch_ms : 0)) / 1000;

// ------------------------------------------------------------------ realtime

let ws = null;
function connect() {
  const url = new URL("api/realtime", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (TOKEN) url.searchParams.set("token", TOKEN);
  ws = new WebSocket(url);
  ws.onopen = () => { if (S.dict) subscribeAll(); };
  ws.onmessage = e => {
    const msg = JSON.parse(e.data);
    if (Array.isArray(msg)) return onPoints(msg);
    if (msg.type === "state") return onState(msg);
    if (msg.type === "events") return onEvents(msg.events);
    if (msg.type === "ack") { S.acked.add(msg.index); return renderEvents(); }
    if (msg.type === "error") console.warn("server:", msg.error);
  };
  ws.onclose = () => setTimeout(connect, 1000);
}

function subscribeAll() {
  if (!ws || ws.readyState !== 1 || !S.dict) return;
  const ids = S.dict.crew.flatMap(c => c.channels.map(ch => ch.id));
  ws.send(JSON.stringify({ subscribe: ids }));
}

function addPoint(p) {
  const d = S.data[p.id] || (S.data[p.id] = { t: [], v: [] });
  const t = tOf(p.timestamp);
  if (d.t.length && t <= d.t[d.t.length - 1]) return; // already have it
  d.t.push(t); d.v.push(p.value);
  S.latest[p.id] = p.value;
}

function onPoints(points) {
  for (const p of points) addPoint(p);
  S.dirty = true;
}

function onEvents(evs) {
  for (const e of evs) if (!S.events.some(x => x.index === e.index)) S.events.push(e);
  renderEvents();
}

async function onState(st) {
  if (!st.mode) {
    S.state = null; S.key = ""; renderControls(); $("status").textContent = "no run";
    $("idle").hidden = false; return;
  }
  $("idle").hidden = true;
  const key = String(st.id);
  const fresh = key !== S.key;
  const resync = !fresh && st.serial !== S.serial && st.mode === "replay";
  S.state = st; S.serial = st.serial; S.dirty = true;
  if (fresh) { S.key = key; await loadSession(); }
  else if (resync) await loadHistory();
  if (st.saved_to && !S.savedListed) { S.savedListed = true; loadRuns(); }
  renderControls();
}

// ------------------------------------------------------------------ a session

async function loadSession() {
  S.dict = await api("api/dictionary");
  S.data = {}; S.latest = {}; S.events = []; S.acked = new Set(); S.savedListed = false;
  buildHelmets(); buildInject(); buildChartPicker();
  for (const c of S.charts) c.el.remove();
  S.charts = [];
  for (const ch of DEFAULT_CHARTS) addChart(ch);
  subscribeAll();
  await loadHistory();
}

async function loadHistory() {
  const ids = S.dict.crew.flatMap(c => c.channels.map(ch => ch.id));
  S.data = {}; S.latest = {};
  const hist = await api("api/history?decimate=4000&ids=" + encodeURIComponent(ids.join(",")));
  for (const id of ids) for (const p of hist[id] || []) addPoint(p);
  const evs = await api("api/events");
  S.events = evs; S.acked = new Set(evs.filter(e => e.acknowledged).map(e => e.index));
  renderEvents();
  S.dirty = true;
}

// ------------------------------------------------------------------ helmet displays

function levelOf(channel, value) {
  const ch = S.dict && S.dict.crew[0].channels.find(c => c.channel === channel);
  if (!ch || value === null || value === undefined || typeof value !== "number") return "";
  let level = ch.limits.length ? "ok" : "";
  for (const l of ch.limits) {
    const hit = (l.above !== null && value > l.above) || (l.below !== null && value < l.below);
    if (hit && (l.level === "warning" || level !== "warning")) level = l.level;
  }
  return level;
}

function buildHelmets() {
  const box = $("helmets");
  box.innerHTML = "";
  for (const c of S.dict.crew) {
    if (c.role === "inside") continue;
    const el = document.createElement("div");
    el.className = "helmet";
    el.dataset.crew = c.id;
    const units = Object.fromEntries(c.channels.map(ch => [ch.channel, ch.unit]));
    el.innerHTML = `<h3>${esc(c.name || c.id)} <span class="where" data-ch="location"></span></h3>
      <div class="activity" data-ch="activity"></div>
      <dl>${HELMET.filter(([ch]) => units[ch] !== undefined).map(([ch, label]) =>
        `<dt>${label}</dt><dd class="val" data-ch="${ch}">-</dd>`).join("")}</dl>
      <div class="alarms" data-ch="alarms"></div>`;
    box.appendChild(el);
  }
}

function renderHelmets() {
  for (const el of document.querySelectorAll(".helmet")) {
    const crew = el.dataset.crew;
    const units = Object.fromEntries(S.dict.crew.find(c => c.id === crew).channels.map(ch => [ch.channel, ch.unit]));
    let worst = "";
    for (const [ch, , digits] of HELMET) {
      const dd = el.querySelector(`dd[data-ch="${ch}"]`);
      if (!dd) continue;
      const v = S.latest[`${crew}.${ch}`];
      let text = v === null || v === undefined ? "-" : v.toFixed(digits) + " " + units[ch];
      if (ch === "p_suit_kPa" && typeof v === "number") text += ` (${(v / 6.894757).toFixed(2)} psi)`;
      dd.textContent = text;
      const level = levelOf(ch, v);
      dd.className = "val " + level;
      if (level === "warning" || (level === "caution" && worst !== "warning")) worst = level;
    }
    el.classList.toggle("caution", worst === "caution");
    el.classList.toggle("warning", worst === "warning");
    el.querySelector('[data-ch="activity"]').textContent = S.latest[`${crew}.activity`] || "";
    el.querySelector('[data-ch="location"]').textContent = S.latest[`${crew}.location`] || "";
    const mine = S.events.filter(e => e.crew === crew && e.severity !== "info" && e.source.startsWith("rule"));
    el.querySelector('[data-ch="alarms"]').textContent = mine.length ? mine[mine.length - 1].message : "";
  }
}

// ------------------------------------------------------------------ charts (uPlot)

function numericChannels() {
  return S.dict.crew[0].channels.filter(ch => ch.format === "number");
}

function buildChartPicker() {
  $("chart-channel").innerHTML = numericChannels()
    .map(ch => `<option value="${esc(ch.channel)}">${esc(ch.channel)} [${esc(ch.unit || "-")}]</option>`).join("");
}

function addChart(channel) {
  const info = S.dict.crew[0].channels.find(c => c.channel === channel);
  if (!info || S.charts.some(c => c.channel === channel)) return;
  const el = document.createElement("div");
  el.className = "chart";
  el.dataset.channel = channel;
  const rm = document.createElement("button");
  rm.className = "remove"; rm.textContent = "x"; rm.title = "remove this chart";
  el.appendChild(rm);
  $("charts").appendChild(el);
  const crew = S.dict.crew;
  const opts = {
    title: `${channel} [${info.unit || "-"}]: ${info.description}`,
    width: Math.max(400, el.clientWidth || 420), height: 200,
    scales: { x: { time: false } },
    axes: [
      { stroke: "#8b949e", grid: { stroke: "#30363d" }, space: 70, label: "time since start [h:mm]",
        values: (u, vals) => vals.map(v => metTick(v)) },
      { stroke: "#8b949e", grid: { stroke: "#30363d" }, label: info.unit },
    ],
    series: [{ label: "time", value: (u, v) => v === null ? "-" : met(v) },
      ...crew.map((c, i) => ({ label: c.name || c.id, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true }))],
    cursor: { drag: { x: true, y: false } },
  };
  const plot = new uPlot(opts, [[]], el);
  const chart = { channel, plot, el, zoomed: false };
  plot.over.addEventListener("dblclick", () => { chart.zoomed = false; });
  plot.over.addEventListener("mouseup", () => { setTimeout(() => { chart.zoomed = plot.scales.x.min !== chart.fullMin || plot.scales.x.max !== chart.fullMax; }, 0); });
  rm.onclick = () => { plot.destroy(); el.remove(); S.charts = S.charts.filter(c => c !== chart); };
  S.charts.push(chart);
  S.dirty = true;
}

function chartData(channel) {
  // align every crew member's samples on the first one's times (they share sample times)
  const ids = S.dict.crew.map(c => `${c.id}.${channel}`);
  const base = S.data[ids[0]] || { t: [] };
  return [base.t, ...ids.map(id => (S.data[id] || { v: [] }).v.map(v => (typeof v === "number" ? v : null)))];
}

function renderCharts() {
  for (const c of S.charts) {
    const data = chartData(c.channel);
    c.fullMin = data[0][0]; c.fullMax = data[0][data[0].length - 1];
    c.plot.setData(data, !c.zoomed);
    c.el.dataset.points = String(data[0].length);
  }
}

// ------------------------------------------------------------------ positions

function drawView(canvas, hKey, vKey) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  const sunlit = S.latest[`${S.dict.crew[0].id}.sunlit`];
  g.fillStyle = sunlit > 0.5 ? "#101c2e" : "#04060b";
  g.fillRect(0, 0, W, H);
  const hatch = S.dict.hatch_m;
  const pos = c => ({ x: S.latest[`${c.id}.x_m`], y: S.latest[`${c.id}.y_m`], z: S.latest[`${c.id}.z_m`] });
  let span = 4;
  for (const c of S.dict.crew) {
    const p = pos(c);
    for (const k of ["x", "y", "z"]) if (typeof p[k] === "number") span = Math.max(span, Math.abs(p[k]) * 1.2);
    for (const t of c.tethers) span = Math.max(span, Math.min(t.length_m, 60));
  }
  for (const p of outlinePoints(S.dict.outline)) for (const k of [0, 1, 2]) span = Math.max(span, Math.abs(p[k]) * 1.1);
  const sc = Math.min(W, H) / 2 / span;
  const X = v => W / 2 + v * sc, Y = v => H / 2 - v * sc;
  const key = { x: 0, y: 1, z: 2 };
  g.strokeStyle = "#30363d"; g.beginPath(); g.moveTo(0, H / 2); g.lineTo(W, H / 2); g.moveTo(W / 2, 0); g.lineTo(W / 2, H); g.stroke();
  const ol = S.dict.outline;
  if (ol && (ol.boxes.length || ol.cylinders.length || ol.paths.length)) drawOutline(g, ol, key[hKey], key[vKey], X, Y, sc);
  else { g.fillStyle = "#6e7681"; g.fillRect(X(-1), Y(1), 2 * sc, 2 * sc); }  // no shape: a 2 m box
  g.fillStyle = "#d29922"; g.fillRect(X(hatch[key[hKey]]) - 3, Y(hatch[key[vKey]]) - 3, 6, 6);
  const placed = [];
  S.dict.crew.forEach((c, i) => {
    const p = pos(c);
    if (typeof p[hKey] !== "number") return;
    const taut = S.latest[`${c.id}.tether_taut`];
    for (const t of c.tethers) {
      g.strokeStyle = taut ? "#f85149" : "#8b949e";
      g.setLineDash(taut ? [] : [4, 3]);
      g.beginPath(); g.moveTo(X(t.anchor_m[key[hKey]]), Y(t.anchor_m[key[vKey]])); g.lineTo(X(p[hKey]), Y(p[vKey])); g.stroke();
      g.setLineDash([]);
    }
    g.fillStyle = PALETTE[i % PALETTE.length];
    g.beginPath(); g.arc(X(p[hKey]), Y(p[vKey]), 5, 0, 2 * Math.PI); g.fill();
    // labels never overlap: one crowded spot (the hatch) stacks its names one under another
    let ly = Y(p[vKey]) - 6;
    while (placed.some(q => Math.abs(q.x - X(p[hKey])) < 90 && Math.abs(q.y - ly) < 11)) ly += 11;
    placed.push({ x: X(p[hKey]), y: ly });
    g.fillText(c.name || c.id, X(p[hKey]) + 7, ly);
  });
  g.fillStyle = "#8b949e";
  g.fillText(`${span.toFixed(0)} m`, W - 40, H - 6);
  g.fillText(sunlit > 0.5 ? "day" : "night", 6, 12);
}

// the vehicle's outside (docs/scenario-format.md): solids, handrail paths, sites, on the
// plane of axes h, v; the same projection as the report's (results/report.py _outline_2d)
function outlinePoints(ol) {
  if (!ol) return [];
  const pts = [];
  for (const b of ol.boxes) for (const sx of [-0.5, 0.5]) pts.push(b.center_m.map((c, k) => c + sx * b.size_m[k]));
  for (const c of ol.cylinders) pts.push(c.from_m, c.to_m);
  for (const p of ol.paths) pts.push(...p.points);
  return pts;
}

function drawOutline(g, ol, h, v, X, Y, sc) {
  g.fillStyle = "#3b4350"; g.strokeStyle = "#6e7681";
  const poly = pts => { g.beginPath(); pts.forEach(([a, b], k) => k ? g.lineTo(X(a), Y(b)) : g.moveTo(X(a), Y(b))); g.closePath(); g.fill(); g.stroke(); };
  for (const b of ol.boxes) {
    const [ch, cv, sh, sv] = [b.center_m[h], b.center_m[v], b.size_m[h] / 2, b.size_m[v] / 2];
    poly([[ch - sh, cv - sv], [ch + sh, cv - sv], [ch + sh, cv + sv], [ch - sh, cv + sv]]);
  }
  for (const c of ol.cylinders) {
    const a = [c.from_m[h], c.from_m[v]], b = [c.to_m[h], c.to_m[v]], r = c.radius_m;
    const d = [b[0] - a[0], b[1] - a[1]], L = Math.hypot(d[0], d[1]);
    if (L < 1e-9) { g.beginPath(); g.arc(X(a[0]), Y(a[1]), r * sc, 0, 2 * Math.PI); g.fill(); g.stroke(); continue; }
    const n = [-d[1] / L * r, d[0] / L * r];
    poly([[a[0] + n[0], a[1] + n[1]], [b[0] + n[0], b[1] + n[1]], [b[0] - n[0], b[1] - n[1]], [a[0] - n[0], a[1] - n[1]]]);
  }
  g.strokeStyle = "#8b949e"; g.setLineDash([3, 3]);
  for (const p of ol.paths) { g.beginPath(); p.points.forEach((q, k) => k ? g.lineTo(X(q[h]), Y(q[v])) : g.moveTo(X(q[h]), Y(q[v]))); g.stroke(); }
  g.setLineDash([]);
  if (ol.arm) {  // the robot arm's reach
    g.strokeStyle = "#a371f7"; g.setLineDash([2, 4]);
    g.beginPath(); g.arc(X(ol.arm.base_m[h]), Y(ol.arm.base_m[v]), ol.arm.reach_m * sc, 0, 2 * Math.PI); g.stroke();
    g.setLineDash([]);
  }
  g.fillStyle = "#8b949e"; g.font = "10px system-ui";
  for (const s of ol.sites) { g.fillRect(X(s.at_m[h]) - 2, Y(s.at_m[v]) - 2, 4, 4); g.fillText(s.id, X(s.at_m[h]) + 4, Y(s.at_m[v]) + 10); }
}

function renderPositions() {
  drawView($("plan"), "y", "z");
  drawView($("side"), "y", "x");
  $("ranges").textContent = S.dict.crew.map(c => {
    const r = S.latest[`${c.id}.range_m`];
    return `${c.name || c.id}: ${typeof r === "number" ? r.toFixed(1) + " m from the hatch" : "-"}`;
  }).join("   ");
  const sunlit = S.latest[`${S.dict.crew[0].id}.sunlit`];
  $("daynight").textContent = typeof sunlit === "number" ? (sunlit > 0.5 ? "DAY" : "NIGHT") : "";
  $("daynight").className = "daynight " + (sunlit > 0.5 ? "day" : "night");
}

// ------------------------------------------------------------------ timeline

const LOC_COLOUR = { cabin: "#1f6feb", airlock: "#a371f7", outside: "#d29922" };
function renderTimeline() {
  const cv = $("timeline");
  cv.width = cv.clientWidth || 900;
  const g = cv.getContext("2d");
  const crew = S.dict.crew;
  cv.height = 18 + crew.length * 28;
  g.fillStyle = "#05080c"; g.fillRect(0, 0, cv.width, cv.height);
  const end = Math.max(S.state.t_end_s, 1), left = 90, W = cv.width - left - 8;
  const X = t => left + (t / end) * W;
  g.font = "11px system-ui";
  crew.forEach((c, i) => {
    const y = 6 + i * 28;
    g.fillStyle = "#8b949e"; g.fillText(c.name || c.id, 4, y + 14);
    const act = S.data[`${c.id}.activity`], loc = S.data[`${c.id}.location`];
    if (!act) return;
    let start = 0;
    for (let k = 1; k <= act.t.length; k++) {
      if (k === act.t.length || act.v[k] !== act.v[start]) {
        const t0 = act.t[start], t1 = k < act.t.length ? act.t[k] : act.t[k - 1];
        g.fillStyle = (start % 2) ? "#1f3b5c" : "#264d78";
        g.fillRect(X(t0), y, Math.max(1, X(t1) - X(t0)), 14);
        if (X(t1) - X(t0) > 40) { g.fillStyle = "#e6edf3"; g.fillText(String(act.v[start]).slice(0, Math.floor((X(t1) - X(t0)) / 6)), X(t0) + 2, y + 11); }
        start = k;
      }
    }
    if (loc) for (let k = 0; k < loc.t.length - 1; k++) {
      // any vessel but the cabin is a lock (crew lock, equipment lock, a second airlock)
      g.fillStyle = loc.v[k] ? LOC_COLOUR[loc.v[k]] || LOC_COLOUR.airlock : "#444";
      g.fillRect(X(loc.t[k]), y + 16, Math.max(1, X(loc.t[k + 1]) - X(loc.t[k])), 5);
    }
  });
  const now = S.state.t_s;
  g.strokeStyle = "#f85149"; g.beginPath(); g.moveTo(X(now), 0); g.lineTo(X(now), cv.height); g.stroke();
  g.fillStyle = "#f85149"; g.fillText("now", X(now) + 3, cv.height - 3);
}

// ------------------------------------------------------------------ caution and warning, log

// every value from a scenario, a run folder or the server is escaped before it meets HTML
function esc(s) { return String(s).replace(/[&<>"']/g, ch => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch])); }

function renderEvents() {
  const alarms = S.events.filter(e => e.severity !== "info").slice().reverse();
  const unack = alarms.filter(e => !S.acked.has(e.index)).length;
  $("cw-count").textContent = String(unack);
  $("cw-count").className = "badge" + (unack ? "" : " zero");
  $("cw").innerHTML = alarms.map(e => `<li class="${esc(e.severity)} ${S.acked.has(e.index) ? "" : "unack"}" data-index="${esc(e.index)}">
    <time>${met(e.t_s)}</time><span class="msg">${esc(e.crew)} ${esc(e.message)}</span>
    ${S.acked.has(e.index) ? "" : `<button class="ack" data-index="${esc(e.index)}">Ack</button>`}</li>`).join("");
  const text = $("log-filter").value.toLowerCase(), sev = $("log-severity").value;
  $("log").tBodies[0].innerHTML = S.events
    .filter(e => (!sev || e.severity === sev) && (!text || `${e.crew} ${e.source} ${e.message}`.toLowerCase().includes(text)))
    .map(e => `<tr class="${esc(e.severity)}"><td>${met(e.t_s)}</td><td>${esc(e.crew)}</td><td>${esc(e.severity)}</td><td>${esc(e.source)}</td><td>${esc(e.message)}</td></tr>`).join("");
  if (S.dict) renderHelmets();
}

// ------------------------------------------------------------------ controls

function renderControls() {
  const st = S.state;
  const live = st && st.mode === "live", replay = st && st.mode === "replay";
  $("btn-pause").disabled = !st || st.paused || st.finished;
  $("btn-resume").disabled = !st || !st.paused || st.finished;
  $("btn-stop").disabled = !st;
  $("btn-inject").disabled = !live || st.finished;
  $("slider").disabled = !replay;
  if (!st) return;
  $("clock").textContent = met(st.t_s);
  const what = live ? "LIVE" : "REPLAY";
  $("status").textContent = `${what} ${st.scenario} ${st.paused ? "paused" : st.speed + "x"}${st.finished ? " finished" : ""}`;
  const crew = st.condition && st.condition !== "well" ? `, crew ${st.condition}` : "";
  $("outcome").textContent = st.outcome ? "outcome: " + st.outcome + crew + (st.saved_to ? ` (saved to runs/${st.saved_to})` : "") : "";
  $("outcome").className = "outcome" + (st.outcome && (st.outcome !== "completed" || crew) ? " bad" : "");
  if (replay && document.activeElement !== $("slider")) {
    $("slider").max = String(Math.ceil(st.t_end_s)); $("slider").value = String(Math.round(st.t_s));
  }
}

function buildInject() {
  $("inj-crew").innerHTML = S.dict.crew.filter(c => c.role !== "inside").map(c => `<option value="${esc(c.id)}">${esc(c.name || c.id)}</option>`).join("");
  $("inj-kind").innerHTML = Object.keys(S.dict.fault_kinds).map(k => `<option>${esc(k)}</option>`).join("");
  $("inj-kind").value = "water-intrusion";
  onKind();
}

function onKind() {
  const kind = $("inj-kind").value;
  const p = FAULT_PARAM[kind];
  $("inj-param-label").hidden = !p;
  $("inj-tether-label").hidden = kind !== "tether-break";
  if (p) { $("inj-param-label").firstChild.textContent = p[1] + " "; $("inj-param").value = p[2]; }
  const crew = S.dict.crew.find(c => c.id === $("inj-crew").value);
  $("inj-tether").innerHTML = (crew ? crew.tethers : []).map(t => `<option>${esc(t.id)}</option>`).join("");
  $("inj-hint").textContent = kind === "tether-break" && crew && !crew.tethers.length ? "this crew member has no tether" : "";
}

async function loadRuns() {
  const runs = await api("api/runs");
  $("run-select").innerHTML = runs.map(r => `<option>${esc(r.name)}</option>`).join("");
}

function wire() {
  $("btn-run").onclick = async () => {
    const speed = Number($("speed").value);
    const file = $("upload").files[0];
    const body = file ? { toml: await file.text(), filename: file.name, speed } : { scenario: $("scenario-select").value, speed };
    $("btn-run").disabled = true;
    $("status").textContent = "simulating...";
    try { const st = await api("api/live", body); await onState({ type: "state", ...st, _new: Date.now() }); }
    finally { $("btn-run").disabled = false; $("upload").value = ""; }
  };
  $("btn-pause").onclick = () => api("api/control", { action: "pause" }).then(onState);
  $("btn-resume").onclick = () => api("api/control", { action: "resume" }).then(onState);
  $("btn-stop").onclick = () => api("api/control", { action: "stop" }).then(() => onState({}));
  $("speed").onchange = () => { if (S.state) api("api/control", { action: "speed", value: Number($("speed").value) }).then(onState); };
  $("btn-replay").onclick = async () => {
    if (!$("run-select").value) return showError("no run folders yet: run a scenario to the end, or `spacewalk run NAME --out runs/NAME`");
    const st = await api("api/replay", { folder: $("run-select").value });
    await onState(st);
  };
  $("slider").oninput = () => api("api/control", { action: "seek", t_s: Number($("slider").value) }).then(onState);
  $("inj-kind").onchange = onKind;
  $("inj-crew").onchange = onKind;
  $("btn-inject").onclick = () => {
    const kind = $("inj-kind").value, fault = { kind, crew: $("inj-crew").value };
    const p = FAULT_PARAM[kind];
    if (p) fault[p[0]] = Number($("inj-param").value);
    if (kind === "tether-break") fault.tether = $("inj-tether").value;
    $("btn-inject").disabled = true;
    $("inj-hint").textContent = "adding the fault at the present step...";
    api("api/control", { action: "inject", fault })
      .then(st => { const f = st.injected[st.injected.length - 1]; $("inj-hint").textContent = `injected ${f.kind} for ${f.crew} at ${met(f.at_min * 60)}`; return onState(st); })
      .catch(() => { $("inj-hint").textContent = ""; renderControls(); });
  };
  $("btn-chart").onclick = () => addChart($("chart-channel").value);
  $("cw").onclick = e => {
    const b = e.target.closest("button.ack");
    if (b) api("api/control", { action: "ack", index: Number(b.dataset.index) });
  };
  $("log-filter").oninput = renderEvents;
  $("log-severity").onchange = renderEvents;
}

function frame() {
  if (S.dict && S.state) {
    if (S.state && !S.state.paused && !S.state.finished) {
      // the clock runs between state messages
      const c = S.state.clock;
      S.state.t_s = Math.min(c.t0_s + c.speed * (Date.now() / 1000 - c.wall_unix_s), S.state.t_end_s);
      $("clock").textContent = met(S.state.t_s);
    }
    if (S.dirty) {
      S.dirty = false;
      renderHelmets(); renderCharts(); renderPositions(); renderTimeline();
    }
  }
  setTimeout(() => requestAnimationFrame(frame), 200);
}

async function main() {
  wire();
  const scen = await api("api/scenarios");
  $("scenario-select").innerHTML = scen.map(s => `<option value="${esc(s.name)}">${esc(s.name)}: ${esc(s.title)}</option>`).join("");
  if (scen.some(s => s.name === "iss-eva-23-2013")) $("scenario-select").value = "iss-eva-23-2013";
  await loadRuns();
  connect();
  const st = await api("api/state");
  if (st) await onState(st);
  frame();
}
main();
