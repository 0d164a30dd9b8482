/* Incident mode: the device keeps the record of an incident (or a drill) while it lasts, offline,
   in IndexedDB; a bar on every page shows the elapsed time, the next update due per audience and
   each provider call waiting for its callback; at the end the record is exported as the review
   draft (plans/incidents/<id>.yaml, or a scenario's `exercises` entry for a drill). Nothing
   leaves the device unless the user exports it. The facts come from the build (incident.json). */
(() => {
  "use strict";

  /* Storage schema, versioned so that a new version of the app never drops a record kept by an
     older one: `onupgradeneeded` runs one step per database version passed, in the same
     transaction, and each step rewrites every record it changes (`upgrade`).
     Version 1: store "incidents" (keyPath "id": one record per incident, `schema: 1`, its
     entries inside) and store "meta" (key "active": the id of the open incident).
     Version 2: records carry `ended` (when the record was closed; "" while open), so that past
     records list as open or ended; a version-1 record other than the active one was ended (at
     its resolved time, else its detected time). Index "detected" on "incidents". */
  const DB_NAME = "recovery-plan-incidents";
  const DB_VERSION = 2;
  const SCHEMA = 2;
  const MINUTE = 60 * 1000;

  /* The facts: incident.json at the site's root (this script is in assets/), fetched once; the
     worker serves it from the offline copy (decrypted, for a private plan). */
  const FACTS_URL = new URL("../incident.json", document.currentScript.src);
  let FACTS = null;
  let WORDS = {};
  const say = (key, values = {}) =>
    String(WORDS[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

  async function loadFacts() {
    try {
      const response = await fetch(FACTS_URL);
      return response.ok ? await response.json() : null;
    } catch {
      return null; // not in the offline copy: the pages work, without the recorder
    }
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = window.indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          db.createObjectStore("incidents", { keyPath: "id" });
          db.createObjectStore("meta");
        }
        if (event.oldVersion < 2) {
          const incidents = request.transaction.objectStore("incidents");
          incidents.createIndex("detected", "detected");
          request.transaction.objectStore("meta").get("active").onsuccess = (found) => {
            incidents.openCursor().onsuccess = (next) => {
              const cursor = next.target.result;
              if (!cursor) return;
              cursor.update(upgrade(cursor.value, found.target.result));
              cursor.continue();
            };
          };
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /* A record of any older schema brought up to the current one (`activeId`: the open one). */
  function upgrade(record, activeId) {
    const done = record.id === activeId ? "" : record.resolved || record.detected || "";
    return {
      ...record,
      schema: SCHEMA,
      entries: Array.isArray(record.entries) ? record.entries : [],
      ended: (record.schema ?? 1) < 2 ? done : (record.ended ?? ""),
    };
  }

  async function transaction(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(["incidents", "meta"], mode);
      const result = work(tx.objectStore("incidents"), tx.objectStore("meta"));
      tx.oncomplete = () => {
        db.close();
        resolve(result.value);
      };
      tx.onerror = () => reject(tx.error);
    });
  }

  const got = (request, then = (v) => v) => {
    const box = { value: undefined };
    request.onsuccess = () => {
      box.value = then(request.result);
    };
    return box;
  };

  async function active() {
    const id = await transaction("readonly", (_, meta) => got(meta.get("active")));
    if (!id) return null;
    return (await transaction("readonly", (incidents) => got(incidents.get(id)))) ?? null;
  }

  /* Every record kept on this device, the newest first. */
  const kept = () =>
    transaction("readonly", (incidents) => got(incidents.index("detected").getAll(), (all) => all.reverse()));

  const save = (record, makeActive) =>
    transaction("readwrite", (incidents, meta) => {
      incidents.put(record);
      if (makeActive === true) meta.put(record.id, "active");
      if (makeActive === false) meta.delete("active");
      return { value: record };
    });

  const remove = (id) =>
    transaction("readwrite", (incidents, meta) => {
      incidents.delete(id);
      got(meta.get("active"), (open) => open === id && meta.delete("active"));
      return { value: null };
    });

  /* ---- times in the plan's time zone ---- */

  function local(iso) {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: FACTS.timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  }

  /* A time typed in the plan's time zone ("YYYY-MM-DDTHH:MM") as an ISO time, or "" if it is
     none: the zone's offset is read at the guess, then once more (a clock change between). */
  function fromLocal(value) {
    const wall = Date.parse(`${value}:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) || Number.isNaN(wall)) return "";
    const offset = (at) => Date.parse(`${local(new Date(at).toISOString())}:00Z`) - (at - (at % MINUTE));
    let guess = wall - offset(wall);
    guess = wall - offset(guess);
    return new Date(guess).toISOString();
  }

  /* A date and time as the plan's readers write it, in its language and time zone. */
  const shown = (iso) =>
    new Intl.DateTimeFormat(FACTS.language, { dateStyle: "medium", timeStyle: "short", timeZone: FACTS.timezone }).format(
      new Date(iso),
    );

  const minutesSince = (iso, now) => Math.floor((now - Date.parse(iso)) / MINUTE);

  /* ---- recording ---- */

  let current = null;

  async function record(entry) {
    if (!current) return;
    current.entries.push({ at: new Date().toISOString(), ...entry });
    await save(current);
    render();
  }

  async function start(kind, scenario) {
    const now = new Date().toISOString();
    const title = FACTS.scenarios[scenario]?.title ?? "";
    current = {
      schema: SCHEMA,
      id: `${local(now).slice(0, 10)}-${scenario || "incident"}-${Date.now().toString(36)}`,
      kind,
      scenario,
      title,
      detected: now,
      acknowledged: "",
      resolved: "",
      ended: "",
      entries: [],
    };
    await save(current, true);
    render();
    if ("Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().catch(() => {}); // asked once, when it starts
    }
  }

  /* Calls still waiting for a callback: vendor id -> the call's time. */
  function waiting(entries) {
    const open = new Map();
    for (const entry of entries) {
      if (entry.type === "callback") open.delete(entry.contact);
      if (entry.type === "call" && FACTS.vendors[entry.contact] && !open.has(entry.contact)) {
        open.set(entry.contact, entry.at);
      }
    }
    return open;
  }

  /* ---- the review draft ---- */

  const q = (text) => JSON.stringify(String(text)); // a JSON string is a YAML double-quoted scalar

  function timelineYaml(entries, indent) {
    const lines = [];
    for (const entry of entries) {
      lines.push(`${indent}- at: ${local(entry.at)}`);
      lines.push(`${indent}  text: ${q(entry.text)}`);
      if (entry.type === "call") lines.push(`${indent}  call: ${entry.contact}`);
      if (entry.type === "callback") lines.push(`${indent}  callback: ${entry.contact}`);
      if (entry.type === "message") lines.push(`${indent}  notified: ${entry.audience}`);
    }
    return lines;
  }

  function exportYaml(incident) {
    const systems = FACTS.scenarios[incident.scenario]?.systems ?? [];
    const entries = [...incident.entries].sort((a, b) => a.at.localeCompare(b.at));
    if (incident.kind === "drill") {
      return [
        `# plans/scenarios/${incident.scenario}.yaml: add under \`exercises:\``,
        "exercises:",
        `  - date: ${local(incident.detected).slice(0, 10)}`,
        "    kind: drill",
        "    by: incident_lead",
        "    result: pass # pass | partial | fail: say how it went",
        `    notes: ${q(entries.map((e) => `${local(e.at).slice(11)} ${e.text}`).join("; "))}`,
        "",
      ].join("\n");
    }
    return [
      `# plans/incidents/${incident.id}.yaml`,
      `title: ${q(incident.title || say("untitled"))}`,
      `date: ${local(incident.detected).slice(0, 10)}`,
      `detected: ${local(incident.detected)}`,
      ...(incident.acknowledged ? [`acknowledged: ${local(incident.acknowledged)}`] : []),
      ...(incident.resolved ? [`resolved: ${local(incident.resolved)}`] : []),
      `systems: [${systems.join(", ")}]`,
      ...(entries.length ? ["timeline:", ...timelineYaml(entries, "  ")] : []),
      'impact: ""',
      'root_cause: ""',
      "actions: []",
      "",
    ].join("\n");
  }

  function fileName(incident) {
    return incident.kind === "drill" ? `${incident.scenario}-exercise.yaml` : `${incident.id}.yaml`;
  }

  function download(incident) {
    const blob = new Blob([exportYaml(incident)], { type: "text/yaml" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName(incident);
    document.body.append(link);
    link.click();
    link.remove();
  }

  async function share(incident) {
    const text = exportYaml(incident);
    const file = new File([text], fileName(incident), { type: "text/yaml" });
    if (navigator.canShare?.({ files: [file] })) await navigator.share({ files: [file], title: fileName(incident) });
    else if (navigator.share) await navigator.share({ text, title: fileName(incident) });
  }

  /* ---- the bar ---- */

  let bar = null;
  const notified = new Set();

  function notify(key, text) {
    if (notified.has(key) || !("Notification" in window) || Notification.permission !== "granted") return;
    notified.add(key);
    try {
      new Notification(text);
    } catch {
      /* only a service worker may notify here: the bar still shows it */
    }
  }

  function statusLines(now) {
    const lines = [say("elapsed", { minutes: minutesSince(current.detected, now) })];
    const every = FACTS.update_every;
    if (every) {
      const last = {};
      for (const entry of current.entries) if (entry.type === "message") last[entry.audience] = entry.at;
      for (const [id, name] of Object.entries(FACTS.audiences)) {
        const since = minutesSince(last[id] ?? current.detected, now);
        const left = every - since;
        const text = left > 0 ? say("update_due_in", { name, minutes: left }) : say("update_due", { name });
        lines.push({ text, due: left <= 0, key: `update:${id}:${last[id] ?? ""}` });
      }
    }
    for (const [id, at] of waiting(current.entries)) {
      const vendor = FACTS.vendors[id];
      const waited = minutesSince(at, now);
      const text = vendor.sla
        ? say(waited >= vendor.sla ? "sla_missed" : "sla_waiting", { name: vendor.name, minutes: waited, sla: vendor.sla })
        : say("waiting", { name: vendor.name, minutes: waited });
      lines.push({ text, due: Boolean(vendor.sla) && waited >= vendor.sla, key: `sla:${id}:${at}` });
    }
    return lines.map((line) => (typeof line === "string" ? { text: line, due: false, key: "" } : line));
  }

  function button(label, action, name) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "rp-button rp-button--secondary";
    element.textContent = label;
    element.dataset.rpIncident = name;
    element.addEventListener("click", action);
    return element;
  }

  /* A <details> of the bar that stays open or closed as the user left it when the bar is drawn again. */
  const unfolded = new Set();
  function folded(name, label) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = label;
    details.append(summary);
    details.open = unfolded.has(name);
    details.addEventListener("toggle", () => (details.open ? unfolded.add(name) : unfolded.delete(name)));
    return details;
  }

  function renderBar() {
    bar?.remove();
    bar = null;
    if (!current) return;
    bar = document.createElement("div");
    bar.id = "rp-incident-bar";
    bar.className = "rp-incident-bar";
    bar.setAttribute("role", "status");
    const title = document.createElement("strong");
    title.textContent = say(current.kind === "drill" ? "drill_open" : "incident_open", { title: current.title });
    const list = document.createElement("ul");
    list.className = "rp-incident-bar__status";
    const note = document.createElement("input");
    note.type = "text";
    note.setAttribute("aria-label", say("note"));
    note.placeholder = say("note");
    note.dataset.rpIncident = "note-text";
    const actions = document.createElement("div");
    actions.className = "rp-incident-bar__actions";
    actions.append(
      note,
      button(say("add_note"), () => note.value.trim() && record({ type: "note", text: note.value.trim() }), "note"),
      ...(current.acknowledged
        ? []
        : [button(say("acknowledge"), () => setTime("acknowledged"), "acknowledge")]),
      ...(current.resolved ? [] : [button(say("resolve"), () => setTime("resolved"), "resolve")]),
      button(say("download"), () => download(current), "download"),
      button(say("copy"), () => navigator.clipboard?.writeText(exportYaml(current)), "copy"),
      ...(navigator.share ? [button(say("share"), () => share(current).catch(() => {}), "share")] : []),
      button(say("end"), end, "end"),
      button(say("clear"), () => forget(current), "clear"),
    );
    const times = folded("times", say("times"));
    times.append(...TIMES.map(timeField));
    const log = document.createElement("ol");
    log.className = "rp-incident-bar__log";
    log.dataset.rpIncident = "log";
    for (const entry of current.entries) {
      const item = document.createElement("li");
      item.textContent = `${local(entry.at).slice(11)} ${entry.text}`;
      log.append(item);
    }
    const details = folded("timeline", say("timeline", { count: current.entries.length }));
    details.append(log);
    bar.append(title, list, actions, times, details);
    document.body.prepend(bar);
    renderStatus();
  }

  /* The countdowns only (every second, so typing a note is never interrupted). */
  function renderStatus() {
    const list = bar?.querySelector(".rp-incident-bar__status");
    if (!list || !current) return;
    const items = statusLines(Date.now()).map((line) => {
      const item = document.createElement("li");
      item.textContent = line.text;
      if (line.due) {
        item.className = "rp-incident-bar__due";
        notify(line.key, line.text);
      }
      return item;
    });
    list.replaceChildren(...items);
  }

  /* ---- detected, acknowledged, resolved: now, or typed in the plan's time zone ---- */

  const TIMES = ["detected", "acknowledged", "resolved"]; // in this order (as the format says)
  const TIME_WORDS = { detected: "detected", acknowledged: "acknowledge", resolved: "resolve" };

  /* Why `iso` cannot be the open record's `key` time ("" if it can). */
  function timeProblem(key, iso) {
    if (!iso) return key === "detected" ? say("time_needed") : "";
    const at = local(iso);
    const place = TIMES.indexOf(key);
    for (const [index, other] of TIMES.entries()) {
      const then = current[other] ? local(current[other]) : "";
      const values = { what: say(TIME_WORDS[other]), time: then.replace("T", " ") };
      if (then && index < place && at < then) return say("not_before", values);
      if (then && index > place && at > then) return say("not_after", values);
    }
    return "";
  }

  function timeField(key) {
    const id = `rp-incident-${key}`;
    const field = document.createElement("div");
    field.className = "rp-incident-bar__time";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = say("time_label", { what: say(TIME_WORDS[key]), zone: FACTS.timezone });
    const input = document.createElement("input");
    input.type = "datetime-local";
    input.id = id;
    input.value = current[key] ? local(current[key]) : "";
    input.dataset.rpIncident = `time-${key}`;
    const problem = document.createElement("p");
    problem.id = `${id}-problem`;
    problem.className = "rp-incident-bar__problem";
    problem.setAttribute("role", "alert");
    input.addEventListener("change", async () => {
      const iso = fromLocal(input.value);
      const why = timeProblem(key, iso);
      problem.textContent = why;
      input.setAttribute("aria-invalid", String(Boolean(why)));
      if (why) {
        input.setAttribute("aria-describedby", problem.id);
        return;
      }
      const changed = { ...current, [key]: iso };
      await save(changed);
      current = changed; // shown once kept
      render();
      document.getElementById(id)?.focus(); // the bar was drawn again
    });
    field.append(label, input, problem);
    return field;
  }

  async function setTime(key) {
    current[key] = new Date().toISOString();
    await save(current);
    render();
  }

  async function end() {
    const now = new Date().toISOString();
    if (!current.resolved) current.resolved = now;
    current.ended = now;
    await save(current, false);
    download(current);
    current = null;
    render();
  }

  /* ---- the records kept on this device ---- */

  function titleOf(record) {
    const title = record.title || say("untitled");
    return record.kind === "drill" ? say("drill_title", { title }) : title;
  }

  async function forget(record) {
    if (!window.confirm(say("confirm_delete", { title: titleOf(record), date: shown(record.detected) }))) return;
    await remove(record.id);
    if (current?.id === record.id) current = null;
    render();
  }

  async function renderRecords() {
    const places = document.querySelectorAll("[data-rp-incident-records]");
    if (!places.length) return;
    const records = await kept();
    for (const place of places) {
      const list = document.createElement("ul");
      for (const record of records) {
        const item = document.createElement("li");
        item.dataset.rpRecord = record.id;
        const text = document.createElement("span");
        text.id = `rp-record-${record.id}`;
        text.textContent = say("record_line", {
          title: titleOf(record),
          date: shown(record.detected),
          state: say(record.ended ? "record_ended" : "record_open"),
        });
        const actions = [
          button(say("download"), () => download(record), "export"),
          button(say("delete"), () => forget(record), "delete"),
        ];
        for (const action of actions) action.setAttribute("aria-describedby", text.id);
        item.append(text, ...actions);
        list.append(item);
      }
      const heading = document.createElement("h2");
      heading.id = "kept-on-this-device";
      heading.textContent = say("records");
      place.replaceChildren(...(records.length ? [heading, list] : []));
    }
  }

  /* ---- start buttons, callback buttons ---- */

  function renderStart() {
    for (const place of document.querySelectorAll("[data-rp-incident-start]")) {
      place.replaceChildren();
      if (current) continue;
      const scenario = place.dataset.scenario ?? "";
      const title = FACTS.scenarios[scenario]?.title;
      place.append(
        button(title ? say("start_named", { title }) : say("start"), () => start("incident", scenario), "start"),
        ...(scenario ? [button(say("start_drill"), () => start("drill", scenario), "start-drill")] : []),
      );
    }
  }

  function renderCallbacks() {
    for (const old of document.querySelectorAll("[data-rp-incident='callback']")) old.remove();
    if (!current) return;
    const open = waiting(current.entries);
    for (const link of document.querySelectorAll("a.rp-call[data-rp-contact]")) {
      const id = link.dataset.rpContact;
      if (!open.has(id)) continue;
      const name = FACTS.vendors[id].name;
      const back = button(
        say("called_back", { name }),
        () => record({ type: "callback", contact: id, text: say("callback_text", { name }) }),
        "callback",
      );
      link.after(back);
    }
  }

  function render() {
    renderBar();
    renderStart();
    renderCallbacks();
    renderRecords().catch(() => {}); // no IndexedDB: nothing kept to list
  }

  /* What the user does on the plan's pages, recorded while an incident is open. */
  function listen() {
    document.addEventListener("click", (event) => {
      if (!current) return;
      const call = event.target.closest?.("a.rp-call[data-rp-contact]");
      if (call) {
        const id = call.dataset.rpContact;
        const name = FACTS.contacts[id] ?? id;
        record({ type: "call", contact: id, text: say("call_text", { name }) });
        return;
      }
      const sent = event.target.closest?.("[data-rp-copy], a[data-rp-send]");
      const box = sent?.closest("[data-rp-audience]");
      if (box) {
        const audience = box.dataset.rpAudience;
        const message = box.querySelector("[data-rp-template]")?.textContent ?? "";
        record({
          type: "message",
          audience,
          phase: box.dataset.rpPhase,
          text: say("message_text", { name: FACTS.audiences[audience] ?? audience, message }),
        });
      }
    });
    document.addEventListener("change", (event) => {
      const box = event.target;
      if (!current || !box.matches?.("input.rp-check") || !box.checked) return;
      const step = box.closest("li")?.querySelector(".rp-step__do")?.textContent ?? "";
      record({ type: "tick", text: say("tick_text", { step }) });
    });
  }

  async function init() {
    const before = current;
    let found = null;
    try {
      found = await active();
    } catch {
      // no IndexedDB (private mode): the plan still works, without a record
    }
    if (current === before) current = found; // an incident started meanwhile is the newer
    render();
  }

  async function main() {
    FACTS = await loadFacts();
    if (!FACTS) return;
    WORDS = FACTS.words ?? {};
    listen();
    window.setInterval(renderStatus, 1000);
    if (typeof window.document$?.subscribe === "function") window.document$.subscribe(init);
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }

  if (window.indexedDB) main();
})();
