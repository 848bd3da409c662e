// spacewalk-plugin.js: NASA Open MCT (4.x) follows a spacewalk console (docs/console.md).
//
// The console serves this file at /openmct/spacewalk-plugin.js, and with --openmct a ready
// Open MCT page at /openmct/ that installs it. Elsewhere:
//
//   openmct.install(SpacewalkPlugin());                                   // same origin
//   openmct.install(SpacewalkPlugin({ base: "http://127.0.0.1:8765", token: "T" }));
//   // another origin: start the console with --allow-origin <that origin>
//
// It gives Open MCT: a root folder with one folder per crew member and a telemetry object
// per channel (unit, format, enumerations, limits from the flight rules); historical
// requests with Open MCT's options (latest, minmax with size); realtime over one WebSocket
// (subscriptions queued until it opens, re-sent after a reconnect with backoff); and a
// clock, "spacewalk", that follows the session (its time and speed, live or replayed).
(function (root) {
  "use strict";

  const NS = "spacewalk";
  const ROOT = { namespace: NS, key: "eva" };
  const TYPE = "spacewalk.telemetry";
  const CLOCK_KEY = "spacewalk";
  // flight-rule levels as Open MCT's limit colours and classes
  const LEVELS = {
    caution: { color: "yellow", rank: 1 },
    warning: { color: "red", rank: 2 },
    emergency: { color: "purple", rank: 3 },
  };

  function Emitter() {
    const on = new Map();
    return {
      on(event, fn, ctx) {
        if (!on.has(event)) on.set(event, []);
        on.get(event).push([fn, ctx]);
      },
      off(event, fn, ctx) {
        const list = on.get(event) || [];
        on.set(event, list.filter(([f, c]) => !(f === fn && (ctx === undefined || c === ctx))));
      },
      emit(event, ...args) {
        (on.get(event) || []).slice().forEach(([f, c]) => f.apply(c, args));
      },
      count(event) {
        return (on.get(event) || []).length;
      },
    };
  }

  function SpacewalkPlugin(options) {
    options = options || {};
    const base = (options.base || "").replace(/\/+$/, "");
    const token = options.token || "";
    const init = {
      headers: token ? { Authorization: "Bearer " + token } : {},
      credentials: base ? "include" : "same-origin",
    };

    return function install(openmct) {
      // ------------------------------------------------------------ the dictionary
      let dictPromise = null;
      let channels = new Map(); // id -> channel entry (with enumIndex for enums)

      function dictionary() {
        if (!dictPromise) {
          dictPromise = fetch(base + "/api/dictionary", init)
            .then((r) => {
              if (!r.ok) throw new Error("spacewalk: /api/dictionary answered " + r.status);
              return r.json();
            })
            .then((d) => {
              const next = new Map();
              d.crew.forEach((c) =>
                c.channels.forEach((ch) => {
                  ch.crew = c;
                  if (ch.enumerations) {
                    ch.enumIndex = new Map(ch.enumerations.map((e) => [e.string, e.value]));
                  }
                  next.set(ch.id, ch);
                })
              );
              channels = next;
              return d;
            })
            .catch((e) => {
              dictPromise = null; // try again next time
              throw e;
            });
        }
        return dictPromise;
      }

      // a point as Open MCT takes it: enums as their value, no point for an empty sample
      function datum(p) {
        if (p.value === null || p.value === undefined) return null;
        const ch = channels.get(p.id);
        if (ch && ch.enumIndex && typeof p.value === "string") {
          const v = ch.enumIndex.get(p.value);
          return { id: p.id, timestamp: p.timestamp, value: v === undefined ? p.value : v };
        }
        return p;
      }
      function data(points) {
        return points.map(datum).filter((x) => x !== null);
      }

      // ------------------------------------------------------------ objects and the tree
      function telemetryObject(ch) {
        const value = {
          key: "value",
          source: "value",
          name: ch.unit ? ch.name + " [" + ch.unit + "]" : ch.name, // a plot's axis label
          format: ch.format,
          hints: { range: 1 },
        };
        if (ch.unit) value.unit = ch.unit;
        if (ch.formatString) value.formatString = ch.formatString;
        if (ch.enumerations) value.enumerations = ch.enumerations;
        const object = {
          identifier: { namespace: NS, key: ch.id },
          name: ch.name,
          type: TYPE,
          location: NS + ":crew:" + ch.crew.id,
          notes: ch.description,
          telemetry: {
            values: [
              { key: "utc", source: "timestamp", name: "Time", format: "utc", hints: { domain: 1 } },
              value,
            ],
          },
        };
        if (ch.limits.length) {
          // a plot of this channel draws the flight-rule limits as lines
          object.configuration = { series: [{ identifier: object.identifier, limitLines: true }] };
        }
        return object;
      }

      function crewName(c) {
        return c.role ? c.name + " (" + c.role + ")" : c.name;
      }

      openmct.objects.addRoot(ROOT);
      openmct.objects.addProvider(NS, {
        get: async (identifier) => {
          const d = await dictionary();
          if (identifier.key === ROOT.key) {
            // one name whatever the run (the tree keeps the name it first got)
            return { identifier, name: "Spacewalk", type: "folder", location: "ROOT" };
          }
          if (identifier.key.startsWith("crew:")) {
            const c = d.crew.find((x) => "crew:" + x.id === identifier.key);
            const name = c ? crewName(c) : identifier.key.slice(5) + " (not in this run)";
            return { identifier, name, type: "folder", location: NS + ":" + ROOT.key };
          }
          const ch = channels.get(identifier.key);
          if (ch) return telemetryObject(ch);
          return { identifier, name: identifier.key + " (not in this run)", type: "unknown" };
        },
      });

      const composition = Emitter(); // events keyed by object: `${key}:add`
      let shown = new Map(); // folder key -> the child keys last given to Open MCT
      function childrenOf(d, key) {
        if (key === ROOT.key) return d.crew.map((c) => "crew:" + c.id);
        const c = d.crew.find((x) => "crew:" + x.id === key);
        return c ? c.channels.map((ch) => ch.id) : [];
      }
      openmct.composition.addProvider({
        appliesTo: (o) => o.identifier.namespace === NS && o.type === "folder",
        load: async (o) => {
          const keys = childrenOf(await dictionary(), o.identifier.key);
          shown.set(o.identifier.key, keys);
          return keys.map((key) => ({ namespace: NS, key }));
        },
        on: (o, event, fn, ctx) => composition.on(o.identifier.key + ":" + event, fn, ctx),
        off: (o, event, fn, ctx) => composition.off(o.identifier.key + ":" + event, fn, ctx),
      });
      openmct.types.addType(TYPE, {
        name: "Spacewalk channel",
        description: "A telemetry channel of a spacewalk crew member",
        cssClass: "icon-telemetry",
      });

      // a new run: the tree follows (crew folders and channels added or removed)
      function refreshTree(d) {
        shown.forEach((old, key) => {
          const now = childrenOf(d, key);
          old.filter((k) => !now.includes(k)).forEach((k) =>
            composition.emit(key + ":remove", { namespace: NS, key: k })
          );
          now.filter((k) => !old.includes(k)).forEach((k) =>
            composition.emit(key + ":add", { namespace: NS, key: k })
          );
          shown.set(key, now);
        });
      }

      // ------------------------------------------------------------ history
      openmct.telemetry.addProvider({
        supportsRequest: (o) => o.type === TYPE,
        request: async (o, opts) => {
          opts = opts || {};
          await dictionary();
          const q = new URLSearchParams();
          if (Number.isFinite(opts.start)) q.set("start", opts.start);
          if (Number.isFinite(opts.end)) q.set("end", opts.end);
          if ((opts.strategy === "latest" || opts.strategy === "minmax") && opts.size > 0) {
            q.set("strategy", opts.strategy);
            q.set("size", Math.max(1, Math.round(opts.size)));
          }
          const url = base + "/api/history/" + encodeURIComponent(o.identifier.key) + "?" + q;
          const r = await fetch(url, { ...init, signal: opts.signal });
          if (!r.ok) return []; // a channel of another run
          return data(await r.json());
        },
      });

      // ------------------------------------------------------------ limits
      function rulesOf(o) {
        const ch = channels.get(o.identifier.key);
        return ch ? ch.limits.filter((l) => LEVELS[l.level]) : [];
      }
      openmct.telemetry.addProvider({
        supportsLimits: (o) => o.type === TYPE && rulesOf(o).length > 0,
        getLimitEvaluator: (o) => ({
          evaluate: (d, valueMetadata) => {
            if (valueMetadata && valueMetadata.key !== "value") return undefined;
            const v = d && d.value;
            if (typeof v !== "number") return undefined;
            let worst;
            rulesOf(o).forEach((l) => {
              const high = l.above !== null && l.above !== undefined && v > l.above;
              const low = l.below !== null && l.below !== undefined && v < l.below;
              if (!(high || low) || (worst && worst.rank >= LEVELS[l.level].rank)) return;
              worst = {
                rank: LEVELS[l.level].rank,
                cssClass:
                  (high ? "is-limit--upr" : "is-limit--lwr") +
                  " is-limit--" +
                  LEVELS[l.level].color,
                name: l.level + ": " + (l.message || l.rule),
                low: high ? l.above : -Infinity,
                high: high ? Infinity : l.below,
              };
            });
            return worst;
          },
        }),
        getLimits: (o) => ({
          limits: () => {
            const out = {};
            rulesOf(o).forEach((l) => {
              const k = l.level.toUpperCase();
              out[k] = out[k] || {};
              const color = LEVELS[l.level].color;
              // the tightest rule of a level on each side
              if (l.above !== null && l.above !== undefined) {
                if (!out[k].high || l.above < out[k].high.value) out[k].high = { color, value: l.above };
              }
              if (l.below !== null && l.below !== undefined) {
                if (!out[k].low || l.below > out[k].low.value) out[k].low = { color, value: l.below };
              }
            });
            return Promise.resolve(out);
          },
        }),
      });

      // ------------------------------------------------------------ the session clock
      const ticks = Emitter();
      let anchor = null; // {timestamp, speed, end, wall}: the session at a wall time
      let timer = null;
      const clock = {
        key: CLOCK_KEY,
        name: "Spacewalk session",
        cssClass: "icon-clock",
        description:
          "The spacewalk console's session time: a live or replayed run, at the speed it plays",
        currentValue() {
          if (!anchor) return Date.now();
          const t = anchor.timestamp + anchor.speed * (Date.now() - anchor.wall);
          return anchor.end === null ? t : Math.min(t, anchor.end);
        },
        on(event, fn, ctx) {
          ticks.on(event, fn, ctx);
          if (event === "tick" && !timer) {
            timer = setInterval(() => ticks.emit("tick", clock.currentValue()), 100);
          }
          return clock;
        },
        off(event, fn, ctx) {
          ticks.off(event, fn, ctx);
          if (event === "tick" && !ticks.count("tick") && timer) {
            clearInterval(timer);
            timer = null;
          }
          return clock;
        },
      };
      openmct.time.addClock(clock);

      let session; // the run the dictionary and the views show
      function onState(st) {
        if (!st || !st.mode) {
          anchor = null;
        } else {
          const speed = st.paused || st.finished ? 0 : st.speed;
          anchor = { timestamp: st.timestamp, speed, end: st.timestamp + 1000 * (st.t_end_s - st.t_s), wall: Date.now() };
        }
        const id = st && st.mode ? st.id : null;
        if (session === undefined) {
          session = id;
          return;
        }
        if (id === session) return;
        session = id; // a new run (or none): fetch the dictionary once more
        dictPromise = null;
        dictionary().then((d) => {
          refreshTree(d);
          // every view asks for its history again
          if (openmct.time.isRealTime()) {
            openmct.time.setClockOffsets(openmct.time.getClockOffsets());
          } else if (d.epoch_ms !== null) {
            openmct.time.setBounds({ start: d.epoch_ms, end: d.t_end_ms });
          }
        });
      }
      fetch(base + "/api/state", init)
        .then((r) => (r.ok ? r.json() : null))
        .then(onState, () => {});

      // ------------------------------------------------------------ realtime
      const subscribers = new Map(); // id -> [callback]
      let ws = null;
      let backoff = 250;
      let pending = { subscribe: new Set(), unsubscribe: new Set() };
      let flushing = false;

      function flush() {
        flushing = false;
        if (!ws || ws.readyState !== WebSocket.OPEN) return; // re-sent when it opens
        const msg = {};
        if (pending.subscribe.size) msg.subscribe = [...pending.subscribe];
        if (pending.unsubscribe.size) msg.unsubscribe = [...pending.unsubscribe];
        pending = { subscribe: new Set(), unsubscribe: new Set() };
        if (msg.subscribe || msg.unsubscribe) ws.send(JSON.stringify(msg));
      }
      function queue(kind, id) {
        const other = kind === "subscribe" ? "unsubscribe" : "subscribe";
        pending[other].delete(id);
        pending[kind].add(id);
        if (!flushing) {
          flushing = true;
          setTimeout(flush, 0); // one message for all the views a page opens at once
        }
      }
      function connect() {
        const origin = base || location.origin;
        const url =
          origin.replace(/^http/, "ws") +
          "/api/realtime" +
          (token ? "?token=" + encodeURIComponent(token) : "");
        ws = new WebSocket(url);
        ws.onopen = () => {
          backoff = 250;
          pending = { subscribe: new Set(subscribers.keys()), unsubscribe: new Set() };
          flush();
        };
        ws.onmessage = (e) => {
          const msg = JSON.parse(e.data);
          if (Array.isArray(msg)) {
            const byId = new Map();
            data(msg).forEach((p) => {
              if (!byId.has(p.id)) byId.set(p.id, []);
              byId.get(p.id).push(p);
            });
            byId.forEach((points, id) => (subscribers.get(id) || []).forEach((cb) => cb(points)));
          } else if (msg && msg.type === "state") {
            onState(msg);
          }
        };
        ws.onclose = () => {
          setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, 10000);
        };
      }
      connect();

      openmct.telemetry.addProvider({
        supportsSubscribe: (o) => o.type === TYPE,
        supportsBatching: () => true,
        subscribe: (o, callback) => {
          const id = o.identifier.key;
          if (!subscribers.has(id)) {
            subscribers.set(id, []);
            queue("subscribe", id);
          }
          subscribers.get(id).push(callback);
          return () => {
            const left = (subscribers.get(id) || []).filter((cb) => cb !== callback);
            if (left.length) {
              subscribers.set(id, left);
            } else {
              subscribers.delete(id);
              queue("unsubscribe", id);
            }
          };
        },
      });
    };
  }

  root.SpacewalkPlugin = SpacewalkPlugin;
})(typeof window !== "undefined" ? window : globalThis);
