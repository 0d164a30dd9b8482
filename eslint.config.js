// ESLint's flat config: the scripts the site ships (generator/assets/*.js), as browsers run them.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["generator/assets/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      ...js.configs.recommended.rules,
      "no-var": "error",
      "prefer-const": "error",
      "prefer-arrow-callback": "error",
      "prefer-template": "error",
      eqeqeq: "error",
      strict: ["error", "function"],
    },
  },
  {
    // the offline workers: classic scripts, each strict as a whole
    files: ["generator/assets/sw.js", "generator/assets/sw-preview.js"],
    languageOptions: {
      // __PRECACHE__: the list of files, written in by generator/pwa.py at build time
      globals: { ...globals.serviceworker, __PRECACHE__: "readonly" },
    },
    rules: { strict: ["error", "global"] },
  },
  {
    // a private plan's part of the worker: appended to sw.js, whose "use strict" covers it
    files: ["generator/assets/sw-private.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
    rules: { strict: "off" },
  },
];
