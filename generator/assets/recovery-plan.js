/* The recovery plan's own behaviour: step checklists kept on the device, the message
   composer, and copy buttons. No network access; everything stays in this browser. */
(() => {
  "use strict";

  const PREFIX = "recovery-plan:";
  const MESSAGE_KEEP_MS = 12 * 60 * 60 * 1000; // composer values older than this are dropped

  function storage() {
    try {
      return window.localStorage;
    } catch {
      return null; // private mode or storage disabled: the page still works, without memory
    }
  }

  /* `text` as JSON, or `fallback` when it is missing or not JSON: bad data never stops the page. */
  function parse(text, fallback) {
    try {
      return JSON.parse(text ?? "null") ?? fallback;
    } catch {
      return fallback;
    }
  }

  const read = (key) => parse(storage()?.getItem(key), null);

  function write(key, value) {
    const ls = storage();
    if (!ls) return;
    try {
      if (value === null) ls.removeItem(key);
      else ls.setItem(key, JSON.stringify(value));
    } catch {
      /* quota exceeded: keep working without saving */
    }
  }

  const pad = (n) => String(n).padStart(2, "0");
  const hhmm = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

  /* The plan's words (the JSON block written by the page template; see generator/i18n.py). */
  const WORDS = parse(document.getElementById("rp-words")?.textContent, {});

  /* A catalog entry with its {fields} filled in, as text (never HTML). */
  const say = (key, values = {}) =>
    String(WORDS[key] || "").replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

  /* "09:40", "9:40 AM": a time of day in the plan's language. */
  function clock(date) {
    const language = document.getElementById("rp-freshness")?.dataset.language || "en";
    try {
      return new Intl.DateTimeFormat(language, { timeStyle: "short" }).format(date);
    } catch {
      return hhmm(date);
    }
  }

  /* ---- Checklists: data-rp-checklist="<scenario id>:<hash of its steps>" ---- */

  /* Every checklist of the page with its controls, in document order: a progress line goes
     with the checklist after it, a reset button with the checklist before it (or, before the
     first checklist, with that one). */
  function checklists() {
    const found = [];
    let progress = null;
    let waiting = []; // reset buttons seen before any checklist
    const selector = "[data-rp-checklist], [data-rp-progress], [data-rp-reset]";
    for (const element of document.querySelectorAll(selector)) {
      if (element.hasAttribute("data-rp-checklist")) {
        found.push({ list: element, progress, resets: waiting });
        progress = null;
        waiting = [];
      } else if (element.hasAttribute("data-rp-progress")) {
        progress = element;
      } else {
        (found[found.length - 1]?.resets ?? waiting).push(element);
      }
    }
    return found;
  }

  function initChecklist({ list, progress, resets }) {
    const version = list.dataset.rpChecklist;
    const key = `${PREFIX}ticks:${version}`;
    const family = `${PREFIX}ticks:${version.split(":")[0]}:`;
    const ls = storage();
    if (ls) {
      for (let i = ls.length - 1; i >= 0; i--) {
        const old = ls.key(i);
        if (old?.startsWith(family) && old !== key) ls.removeItem(old); // the steps changed
      }
    }
    let ticks = read(key) || {};
    const boxes = [...list.querySelectorAll("input.rp-check")];

    function show() {
      let done = 0;
      for (const box of boxes) {
        const at = ticks[box.dataset.rpStep];
        const step = box.closest("li");
        const label = step.querySelector("[data-rp-done-at]");
        box.checked = Boolean(at);
        step.classList.toggle("rp-step--done", Boolean(at));
        if (label) label.textContent = at ? say("done_at", { time: clock(new Date(at)) }) : "";
        if (at) done += 1;
      }
      if (progress) {
        progress.textContent = say(done === boxes.length ? "all_done" : "progress", {
          done,
          total: boxes.length,
        });
      }
    }

    for (const box of boxes) {
      box.addEventListener("change", () => {
        const step = box.dataset.rpStep;
        if (box.checked) ticks[step] = new Date().toISOString();
        else delete ticks[step];
        write(key, Object.keys(ticks).length ? ticks : null);
        show();
      });
    }
    for (const button of resets) {
      button.addEventListener("click", () => {
        if (!window.confirm(say("confirm_clear"))) return;
        ticks = {};
        write(key, null);
        show();
      });
    }
    show();
  }

  /* ---- Message composer: fills {placeholders} in every [data-rp-template] as you type ---- */

  function initComposer(form) {
    const organisation = form.dataset.organisation ?? "";
    const every = parseInt(form.dataset.updateEvery, 10) || 0;
    const given = parse(form.dataset.blanks, {});
    const blanks = given && typeof given === "object" && !Array.isArray(given) ? given : {};
    const key = `${PREFIX}message`;
    const fields = {};
    for (const input of form.querySelectorAll("input[name]")) fields[input.name] = input;
    let nextTouched = false;

    function setNextUpdate() {
      if (!fields.next_update || !fields.time || nextTouched || !every) return;
      const match = /^(\d{1,2})[:.](\d{2})$/.exec(fields.time.value.trim());
      if (!match) return;
      const at = new Date();
      at.setHours(parseInt(match[1], 10), parseInt(match[2], 10) + every, 0, 0);
      fields.next_update.value = hhmm(at);
    }

    const saved = read(key);
    if (saved && Date.now() - saved.saved < MESSAGE_KEEP_MS) {
      for (const name of ["eta", "status", "system"]) {
        if (fields[name] && saved[name]) fields[name].value = saved[name];
      }
    }
    const system = new URLSearchParams(window.location.search).get("system");
    if (system && fields.system) fields.system.value = system;
    if (fields.time) fields.time.value = hhmm(new Date());
    setNextUpdate();

    /* The same placeholders and blanks as generator/pages/messages.py (data-blanks). */
    const names = ["organisation", ...Object.keys(blanks).filter((name) => /^\w+$/.test(name))];
    const placeholder = new RegExp(`\\{(${names.join("|")})\\}`, "g");

    const fill = (template) =>
      template.replace(placeholder, (_, name) => {
        if (name === "organisation") return organisation;
        return fields[name]?.value.trim() || String(blanks[name]);
      });

    function update() {
      for (const element of document.querySelectorAll("[data-rp-template]")) {
        const message = fill(element.dataset.rpTemplate);
        element.textContent = message;
        const box = element.closest(".rp-message");
        for (const link of box?.querySelectorAll("a[data-rp-send]") ?? []) {
          const base = link.getAttribute("href").split("?")[0];
          const body = `body=${encodeURIComponent(message)}`;
          link.setAttribute(
            "href",
            link.dataset.rpSend === "mailto"
              ? `${base}?subject=${encodeURIComponent(link.dataset.subject)}&${body}`
              : `${base}?${body}`,
          );
        }
      }
      write(key, {
        saved: Date.now(),
        eta: fields.eta?.value ?? "",
        status: fields.status?.value ?? "",
        system: fields.system?.value ?? "",
      });
    }

    form.addEventListener("input", (event) => {
      if (event.target === fields.next_update) nextTouched = true;
      if (event.target === fields.time) setNextUpdate();
      update();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    update();
  }

  /* ---- Copy buttons ---- */

  function initCopy(button) {
    const label = button.textContent;
    button.addEventListener("click", () => {
      const text = button.closest(".rp-message").querySelector("[data-rp-template]").textContent;
      const copied = () => {
        button.textContent = say("copied");
        window.setTimeout(() => {
          button.textContent = label;
        }, 2000);
      };
      const fallback = () => {
        const area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.append(area);
        area.select();
        try {
          if (document.execCommand("copy")) copied();
        } finally {
          area.remove();
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(copied, fallback);
      } else {
        fallback();
      }
    });
  }

  function init() {
    checklists().forEach(initChecklist);
    document.querySelectorAll("form[data-rp-composer]").forEach(initComposer);
    document.querySelectorAll("[data-rp-copy]").forEach(initCopy);
  }

  if (typeof window.document$?.subscribe === "function") {
    window.document$.subscribe(init); // Material's page-load signal (also with instant loading)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
