// The mediator node's dashboard: plain JS, no dependencies, no build step.
//
// Authentication: the token (from the link's #token= fragment, never sent to the server in
// a URL, or pasted) is sent as a bearer token to the JSON API; POST /api/v1/ws-ticket trades
// it for a single-use, 30-second ticket that answers the monitoring WebSocket's challenge.
// Everything from the node is written with textContent: chain prose never becomes markup.
"use strict";

const STAGES = [
  ["intents", "intents"],
  ["candidates", "candidate pairs"],
  ["negotiations", "negotiations"],
  ["aligned", "aligned"],
  ["proposals", "proposals"],
  ["acceptances", "acceptances"],
  ["closures", "closures"],
  ["payouts", "payouts"],
];
const CHANNELS = ["health", "intents", "negotiations", "settlements", "challenges",
  "disputes", "reputation", "metrics"];
const TOKEN_KEY = "mediator-dashboard-token";
// queues: one series per queue name (pending + running jobs), the names the node declares
// (the overview's queue_names) first, so an idle queue is a flat line, not a missing one.
const series = { cycle: [], llm: [], success: [], queues: new Map() };
const MAX_POINTS = 360;
const QUEUE_COLOURS = ["#2857a4", "#1d7a35", "#a06500", "#b3261e", "#6a3fa0", "#00838f"];

let token = null;
let socket = null;
let refreshTimer = null;
let retryDelay = 1000;
let wsPort = null;
// Set once per page load: a test reads it to tell a live update from a reload.
window.dashboardLoadId = Math.random().toString(36).slice(2);

function $(id) { return document.getElementById(id); }

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function short(id) {
  const s = String(id === undefined || id === null ? "" : id);
  return s.length > 13 ? s.slice(0, 12) + "…" : s;
}

function setState(state, why) {
  document.body.dataset.state = state;
  $("login").hidden = state !== "login";
  $("refused").hidden = state !== "refused";
  $("main").hidden = state !== "live" && state !== "connecting";
  if (why) $("refused-why").textContent = why;
  const live = $("live");
  live.textContent = { live: "live", connecting: "connecting…", refused: "refused",
    login: "not connected" }[state] || state;
  live.className = "badge " + state;
}

function api(path, method) {
  return fetch(path, {
    method: method || "GET",
    headers: { Authorization: "Bearer " + token },
    cache: "no-store",
    credentials: "omit",
  });
}

// ---- rendering -------------------------------------------------------------------------

function renderPipeline(p) {
  const list = $("pipeline");
  list.replaceChildren();
  for (const [key, label] of STAGES) {
    const li = el("li");
    li.dataset.stage = key;
    li.append(el("span", p && p[key] !== undefined ? p[key] : 0, "n"), el("span", label, "label"));
    list.append(li);
  }
}

function stateCell(state, label) {
  const td = el("td");
  td.append(el("span", label || state, "state " + state));
  return td;
}

function renderSettlements(items) {
  const body = $("settlements").tBodies[0];
  body.replaceChildren();
  for (const s of items || []) {
    const tr = el("tr");
    tr.dataset.settlement = s.settlement_id;
    tr.dataset.state = s.state;
    tr.append(el("td", short(s.settlement_id), "id"), stateCell(s.state),
      el("td", s.acceptance_deadline), el("td", (s.parties || []).join(" ↔ ")),
      el("td", s.facilitation_fee), el("td", s.state_reason));
    body.append(tr);
  }
  if (!body.children.length) {
    const tr = el("tr");
    const td = el("td", "no settlements yet", "muted");
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
  }
}

// Fees claimed per currency ({"NLC": 0.25, "EUR": 12}): amounts in two are never added.
function feesText(fees) {
  const entries = Object.entries(fees && typeof fees === "object" ? fees : {});
  if (!entries.length) return "0 NLC";
  entries.sort(([a], [b]) => (a !== "NLC") - (b !== "NLC") || (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([currency, amount]) => amount + " " + currency).join(", ");
}

function renderFees(business) {
  $("fees").textContent = "fees claimed: " + feesText(business && business.fees_claimed);
}

function renderNegotiations(items) {
  const body = $("negotiations").tBodies[0];
  body.replaceChildren();
  for (const n of items || []) {
    const tr = el("tr");
    // A refusal's reasoning often repeats its reason: show the reason, and the reasoning only
    // when it says more.
    let why = n.reasoning || "";
    if (n.outcome === "declined" && n.reason) {
      const core = String(n.reason).replace(/^not compatible:\s*/i, "");
      why = why.includes(core) ? n.reason : n.reason + " — " + why;
    }
    tr.append(el("td", short(n.offer_ref) + " + " + short(n.seek_ref), "id"),
      stateCell(n.outcome, n.reason_class ? n.outcome + ": " + n.reason_class : n.outcome),
      el("td", n.confidence), el("td", why, "reasoning"));
    body.append(tr);
  }
}

function renderFacts(dl, facts) {
  dl.replaceChildren();
  for (const [k, v] of facts) dl.append(el("dt", k), el("dd", v));
}

function renderReputation(r) {
  if (!r) return;
  renderFacts($("reputation"), [
    ["score", r.display], ["closures", r.closures], ["proposals", r.proposals],
    ["forfeited", r.forfeited], ["upheld against", r.upheld_challenges_against],
    ["upheld submitted", r.upheld_challenges_submitted],
  ]);
}

// How a resolved dispute ended (protocol.md section 7); any other key is a state.
const DISPUTE_OUTCOMES = ["claimant_favored", "respondent_favored", "compromise", "dismissed",
  "withdrawn"];

function renderChallenges(business, openDisputes) {
  const c = (business && business.challenges) || {};
  const d = (business && business.disputes) || {};
  const outcomes = DISPUTE_OUTCOMES.filter((k) => d[k]);
  const resolved = outcomes.reduce((n, k) => n + d[k], 0);
  renderFacts($("challenges"), [
    ["challenges open", c.open || 0], ["upheld", c.upheld || 0], ["rejected", c.rejected || 0],
    ["disputes open", d.open || 0], ["escalated", d.escalated || 0],
    ["resolved", resolved ? resolved + " (" + outcomes.map((k) => k.replace("_", " ") + " "
      + d[k]).join(", ") + ")" : 0],
    ["orphaned", d.orphaned || 0],
  ]);
  const list = $("disputes");
  list.replaceChildren();
  for (const x of openDisputes || []) {
    const li = el("li");
    li.dataset.dispute = x.dispute_id;
    li.append(el("span", short(x.dispute_id), "id"), el("span", x.state, "state " + x.state),
      el("span", " on " + short(x.settlement_id) + " by " + x.claimant + ": " + x.issue));
    list.append(li);
  }
}

function renderActors(actors) {
  // Names are supervision paths ("root/negotiators/negotiator-1"): nest them as the tree.
  const tree = { children: new Map(), actor: null };
  for (const a of actors || []) {
    let node = tree;
    for (const part of String(a.name).split("/")) {
      if (!node.children.has(part)) node.children.set(part, { children: new Map(), actor: null });
      node = node.children.get(part);
    }
    node.actor = a;
  }
  const build = (node) => {
    const ul = el("ul");
    for (const [name, child] of node.children) {
      const li = el("li");
      li.append(el("span", name));
      const a = child.actor;
      if (a) {
        li.dataset.actor = a.name;
        li.append(el("span", a.state, "state " + (a.state === "running" ? "closed" : "rejected")));
        if (a.restarts) li.append(el("span", " " + a.restarts + " restarts", "muted"));
        if (a.lastErrorClass) li.append(el("span", " " + a.lastErrorClass, "muted"));
      } else {
        li.append(el("span", " supervisor", "muted"));
      }
      if (child.children.size) li.append(build(child));
      ul.append(li);
    }
    return ul;
  };
  const root = $("actors");
  root.replaceChildren(...build(tree).children);
}

function renderHealth(h) {
  if (!h) return;
  const badge = $("health");
  badge.textContent = h.status + (h.ready ? ", ready" : ", not ready");
  badge.className = "badge " + h.status;
  const why = [].concat(h.not_ready_reasons || [], h.problems || []);
  badge.title = why.join("\n");
}

function render(o) {
  renderHealth(o.health);
  renderPipeline(o.pipeline);
  renderSettlements(o.settlements);
  renderFees(o.business);
  renderNegotiations(o.negotiations);
  renderReputation(o.reputation);
  renderChallenges(o.business, o.open_disputes);
  renderActors(o.actors);
  if (o.reputation) $("mediator").textContent = "mediator " + short(o.reputation.mediator_id);
  if (o.metrics) addPoint(o.metrics, Date.now());
}

// ---- charts ----------------------------------------------------------------------------

function push(list, t, v) {
  if (typeof v !== "number" || !isFinite(v)) return;
  list.push([t, v]);
  if (list.length > MAX_POINTS) list.shift();
}

function queueSeries(name) {
  if (!series.queues.has(name)) series.queues.set(name, []);
  return series.queues.get(name);
}

// The snapshot's depths are keyed "<queue>_<state>" (negotiation_pending, chain_outbox_running)
// and only the non-zero ones are sent: sum the states per queue, zero for a declared idle one.
function queueDepths(m) {
  const depths = new Map();
  for (const name of m.queue_names || []) depths.set(String(name), 0);
  for (const name of series.queues.keys()) depths.set(name, 0);
  for (const [key, n] of Object.entries(m.queues || {})) {
    const name = key.replace(/_(pending|running)$/, "");
    depths.set(name, (depths.get(name) || 0) + (Number(n) || 0));
  }
  return depths;
}

function addPoint(m, t) {
  push(series.cycle, t, m.alignment_cycle_s);
  push(series.llm, t, m.llm_latency_p99_s);
  push(series.success, t, m.settlement_success_rate);
  for (const [name, depth] of queueDepths(m)) push(queueSeries(name), t, depth);
  drawAll();
}

// lines: [{points: [[t, v], ...], colour}], drawn on one time and value scale.
function draw(canvas, lines) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#6b6b6b";
  ctx.font = "11px sans-serif";
  const all = lines.flatMap((l) => l.points);
  if (!all.length) { ctx.fillText("no samples yet", 8, h / 2); return; }
  const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
  let lo = Math.min(...all.map((p) => p[1])), hi = Math.max(...all.map((p) => p[1]));
  if (hi === lo) { hi += 1; lo = Math.max(0, lo - 1); }
  const x = (t) => (t1 === t0 ? w - 4 : 4 + ((t - t0) / (t1 - t0)) * (w - 8));
  const y = (v) => h - 14 - ((v - lo) / (hi - lo)) * (h - 22);
  ctx.lineWidth = 1.5;
  for (const { points, colour } of lines) {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(p[1])) : ctx.moveTo(x(p[0]), y(p[1]))));
    ctx.stroke();
    for (const p of points) ctx.fillRect(x(p[0]) - 1.5, y(p[1]) - 1.5, 3, 3);
  }
  ctx.fillStyle = "#6b6b6b";
  const last = lines.length === 1 ? lines[0].points[lines[0].points.length - 1] : null;
  ctx.fillText((last ? "now " + (Math.round(last[1] * 1000) / 1000) + "  " : "")
    + "max " + (Math.round(hi * 1000) / 1000), 4, h - 2);
}

function drawQueues() {
  const lines = [];
  const legend = $("queue-legend");
  legend.replaceChildren();
  let i = 0;
  for (const [name, points] of series.queues) {
    const colour = QUEUE_COLOURS[i++ % QUEUE_COLOURS.length];
    lines.push({ points, colour });
    const li = el("li");
    li.dataset.queue = name;
    li.dataset.points = String(points.length);
    const swatch = el("span", "■", "swatch");
    swatch.style.color = colour;
    const now = points.length ? points[points.length - 1][1] : 0;
    li.append(swatch, el("span", " " + name + " "), el("span", now, "n"));
    legend.append(li);
  }
  draw($("chart-queues"), lines);
}

function drawAll() {
  draw($("chart-cycle"), [{ points: series.cycle, colour: "#2857a4" }]);
  draw($("chart-llm"), [{ points: series.llm, colour: "#2857a4" }]);
  draw($("chart-success"), [{ points: series.success, colour: "#2857a4" }]);
  drawQueues();
}

// ---- live updates ------------------------------------------------------------------------

function logEvent(msg) {
  const d = msg.data || {};
  const list = $("events");
  const time = new Date(msg.ts || Date.now()).toLocaleTimeString();
  const what = d.type || msg.type;
  const about = d.dispute_id ? " " + short(d.dispute_id) + " on " + short(d.settlement_id)
    : d.settlement_id ? " " + short(d.settlement_id) : d.intents && d.intents.length
      ? " " + d.intents.map(short).join(" + ") : "";
  const extra = d.detail ? ": " + d.detail : d.state ? " → " + d.state
    : d.reason ? ": " + d.reason : "";
  const li = el("li", time + "  " + msg.channel + "  " + what + about + extra);
  li.dataset.channel = msg.channel;
  li.dataset.kind = what;
  list.prepend(li);
  while (list.children.length > 200) list.lastChild.remove();
}

function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 300);
}

async function refresh() {
  let res;
  try {
    res = await api("/api/v1/overview");
  } catch (err) {
    res = null;  // the node restarting, or the network: try again shortly
  }
  if (res && res.status === 401) {
    setState("refused", "The token was not accepted (401).");
    return "refused";
  }
  let overview = null;
  try {
    if (res && res.ok) overview = await res.json();
  } catch (err) {
    overview = null;  // a body cut short: the same as no answer
  }
  if (!overview) {
    console.warn("overview: " + (res ? res.status : "unreachable") + "; retrying");
    setTimeout(scheduleRefresh, 2000);
    return "retrying";
  }
  render(overview);
  return "ok";
}

function onMessage(msg) {
  if (msg.type === "challenge") return;
  if (msg.type === "welcome") {
    setState("live");
    retryDelay = 1000;
    for (const c of CHANNELS) socket.send(JSON.stringify({ type: "subscribe", channel: c }));
    return;
  }
  if (msg.type === "snapshot") {
    if (msg.channel === "health") renderHealth(msg.data);
    if (msg.channel === "metrics") addPoint(msg.data, Date.now());
    return;
  }
  if (msg.type !== "event") return;
  const d = msg.data || {};
  if (msg.channel === "metrics") {
    addPoint(d, msg.ts || Date.now());
    scheduleRefresh();  // every 10 s: what no event announces (payouts posted) shows too
    return;
  }
  if (msg.channel === "health") renderHealth(d);
  logEvent(msg);
  scheduleRefresh();
}

async function connect() {
  let res, grant;
  try {
    res = await api("/api/v1/ws-ticket", "POST");
    if (res.status === 401) {
      setState("refused", "The node refused this browser: no valid token (401).");
      return;
    }
    if (!res.ok) throw new Error("HTTP " + res.status);
    grant = await res.json();
  } catch (err) {
    // A rejected fetch or a cut body: without this the page stayed "connecting" for good.
    console.warn("ws-ticket: " + err + "; retrying");
    retry();
    return;
  }
  wsPort = grant.ws_port;
  setState("connecting");
  socket = new WebSocket("ws://" + location.hostname + ":" + wsPort + "/ws");
  socket.onmessage = (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch (err) { return; }
    if (msg.type === "challenge") socket.send(JSON.stringify({ type: "ticket", ticket: grant.ticket }));
    onMessage(msg);
  };
  socket.onclose = (e) => {
    socket = null;
    if (e.code === 1008) {
      setState("refused", "The monitoring WebSocket refused this browser (1008).");
      return;
    }
    retry();
  };
}

function retry() {
  setState("connecting");
  setTimeout(connect, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30000);
}

async function start() {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    sessionStorage.setItem(TOKEN_KEY, token);
    // Out of the address bar and the history, so it is not shared with a screenshot.
    history.replaceState(null, "", location.pathname);
  } else {
    token = sessionStorage.getItem(TOKEN_KEY);
  }
  if (!token) {
    setState("login");
    return;
  }
  setState("connecting");
  // Connect unless the token was refused: a first overview that failed for another reason
  // (the node busy, a cut body) is retried on its own, and must not keep the page from
  // going live.
  if (await refresh() !== "refused") connect();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token").value.trim();
    if (token) { sessionStorage.setItem(TOKEN_KEY, token); start(); }
  });
  // A link with a new #token= opened on this page: same document, so start again.
  window.addEventListener("hashchange", () => {
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    start();
  });
  renderPipeline({});
  drawAll();
  start();
});
