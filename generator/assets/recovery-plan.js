/* The recovery plan's own behaviour: step checklists kept on the device, the message
   composer, and copy buttons. No network access; everything stays in this browser. */
(function () {
  "use strict";

  var PREFIX = "recovery-plan:";
  var MESSAGE_KEEP_MS = 12 * 60 * 60 * 1000; // composer values older than this are dropped

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // private mode or storage disabled: the page still works, without memory
    }
  }

  function read(key) {
    var ls = storage();
    try {
      return JSON.parse((ls && ls.getItem(key)) || "null");
    } catch (e) {
      return null;
    }
  }

  function write(key, value) {
    var ls = storage();
    if (!ls) return;
    try {
      if (value === null) ls.removeItem(key);
      else ls.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* quota exceeded: keep working without saving */
    }
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function hhmm(date) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  /* The plan's words (the JSON block written by the page template; see generator/i18n.py). */
  var WORDS = (function () {
    var block = document.getElementById("rp-words");
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (e) {
      return {};
    }
  })();

  /* A catalog entry with its {fields} filled in, as text (never HTML). */
  function say(key, values) {
    return String(WORDS[key] || "").replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? String(values[name]) : "";
    });
  }

  /* "09:40", "9:40 AM": a time of day in the plan's language. */
  function clock(date) {
    var banner = document.getElementById("rp-freshness");
    var language = (banner && banner.getAttribute("data-language")) || "en";
    try {
      return new Intl.DateTimeFormat(language, { timeStyle: "short" }).format(date);
    } catch (e) {
      return hhmm(date);
    }
  }

  /* ---- Checklists: data-rp-checklist="<scenario id>:<hash of its steps>" ---- */

  function initChecklist(list) {
    var version = list.getAttribute("data-rp-checklist");
    var key = PREFIX + "ticks:" + version;
    var family = PREFIX + "ticks:" + version.split(":")[0] + ":";
    var ls = storage();
    if (ls) {
      for (var i = ls.length - 1; i >= 0; i--) {
        var old = ls.key(i);
        if (old && old.indexOf(family) === 0 && old !== key) ls.removeItem(old); // steps changed
      }
    }
    var ticks = read(key) || {};
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input.rp-check"));
    var progress = document.querySelector("[data-rp-progress]");

    function show() {
      var done = 0;
      boxes.forEach(function (box) {
        var at = ticks[box.getAttribute("data-rp-step")];
        var step = box.closest("li");
        var label = step.querySelector("[data-rp-done-at]");
        box.checked = Boolean(at);
        step.classList.toggle("rp-step--done", Boolean(at));
        if (label) label.textContent = at ? say("done_at", { time: clock(new Date(at)) }) : "";
        if (at) done += 1;
      });
      if (progress) {
        progress.textContent = say(done === boxes.length ? "all_done" : "progress", {
          done: done,
          total: boxes.length
        });
      }
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var step = box.getAttribute("data-rp-step");
        if (box.checked) ticks[step] = new Date().toISOString();
        else delete ticks[step];
        write(key, Object.keys(ticks).length ? ticks : null);
        show();
      });
    });
    document.querySelectorAll("[data-rp-reset]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm(say("confirm_clear"))) return;
        ticks = {};
        write(key, null);
        show();
      });
    });
    show();
  }

  /* ---- Message composer: fills {placeholders} in every [data-rp-template] as you type ---- */

  function initComposer(form) {
    var organisation = form.getAttribute("data-organisation");
    var every = parseInt(form.getAttribute("data-update-every"), 10) || 0;
    var blanks = JSON.parse(form.getAttribute("data-blanks"));
    var key = PREFIX + "message";
    var fields = {};
    form.querySelectorAll("input[name]").forEach(function (input) {
      fields[input.name] = input;
    });
    var nextTouched = false;

    var saved = read(key);
    if (saved && Date.now() - saved.saved < MESSAGE_KEEP_MS) {
      ["eta", "status", "system"].forEach(function (name) {
        if (fields[name] && saved[name]) fields[name].value = saved[name];
      });
    }
    var system = new URLSearchParams(window.location.search).get("system");
    if (system && fields.system) fields.system.value = system;
    var now = new Date();
    if (fields.time) fields.time.value = hhmm(now);
    setNextUpdate();

    function setNextUpdate() {
      if (!fields.next_update || !fields.time || nextTouched || !every) return;
      var match = /^(\d{1,2})[:.](\d{2})$/.exec(fields.time.value.trim());
      if (!match) return;
      var at = new Date();
      at.setHours(parseInt(match[1], 10), parseInt(match[2], 10) + every, 0, 0);
      fields.next_update.value = hhmm(at);
    }

    /* The same placeholders and blanks as generator/pages/messages.py (data-blanks). */
    var placeholder = new RegExp("\\{(organisation|" + Object.keys(blanks).join("|") + ")\\}", "g");

    function fill(template) {
      return template.replace(placeholder, function (_, name) {
        if (name === "organisation") return organisation;
        var value = fields[name] ? fields[name].value.trim() : "";
        return value || blanks[name];
      });
    }

    function update() {
      document.querySelectorAll("[data-rp-template]").forEach(function (element) {
        var message = fill(element.getAttribute("data-rp-template"));
        element.textContent = message;
        var box = element.closest(".rp-message");
        box.querySelectorAll("a[data-rp-send]").forEach(function (link) {
          var base = link.getAttribute("href").split("?")[0];
          var body = "body=" + encodeURIComponent(message);
          link.setAttribute(
            "href",
            link.getAttribute("data-rp-send") === "mailto"
              ? base + "?subject=" + encodeURIComponent(link.getAttribute("data-subject")) + "&" + body
              : base + "?" + body
          );
        });
      });
      write(key, {
        saved: Date.now(),
        eta: fields.eta ? fields.eta.value : "",
        status: fields.status ? fields.status.value : "",
        system: fields.system ? fields.system.value : ""
      });
    }

    form.addEventListener("input", function (event) {
      if (event.target === fields.next_update) nextTouched = true;
      if (event.target === fields.time) setNextUpdate();
      update();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    update();
  }

  /* ---- Copy buttons ---- */

  function initCopy(button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      var text = button.closest(".rp-message").querySelector("[data-rp-template]").textContent;
      function copied() {
        button.textContent = say("copied");
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      }
      function fallback() {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        try {
          if (document.execCommand("copy")) copied();
        } finally {
          document.body.removeChild(area);
        }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(copied, fallback);
      } else {
        fallback();
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-rp-checklist]").forEach(initChecklist);
    document.querySelectorAll("form[data-rp-composer]").forEach(initComposer);
    document.querySelectorAll("[data-rp-copy]").forEach(initCopy);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's page-load signal (also with instant loading)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
