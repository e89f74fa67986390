"use strict";
/* Scoring's explanations rendered in the reader's language: each figure's explanation
   comes as sentences {message: English template (a msgid of gateway_pegawai.po), params}.
   The parameter conventions are scoring's (services/scoring/explain.py): a key ending in
   _pct is a percentage, ikm has two decimals, predikat and rating/result/behaviour are
   codes shown as words, other numbers are numbers. Loaded after app.js by the pages that
   show scores (K.explain). */
K.explain = (() => {
  const RATING_KEYS = new Set(["rating", "result", "behaviour"]);
  function shown(key, value) {
    if (value === null || value === undefined) return K.t("n/a");
    if (key.endsWith("_pct")) return K.fmt.pct(value);
    if (key === "ikm") return K.fmt.num(value, 2);
    if (key === "predikat") return K.label("predikat", value);
    if (RATING_KEYS.has(key)) return K.label("rating", value);
    if (key === "aggregation") return K.label("aggregation", value);
    if (typeof value === "number") return K.fmt.num(value);
    return String(value);
  }
  /* The sentences of one explanation as one text. */
  return function explain(parts) {
    return (parts || [])
      .map((p) => {
        const params = {};
        for (const [key, value] of Object.entries(p.params || {})) params[key] = shown(key, value);
        return K.t(p.message, params);
      })
      .join(" ");
  };
})();

/* The page family's shared state: the chosen year, the SKP read, the approved indicators
   (id -> {name, unit, rhk}), and a reload of everything (set by employee.js). */
const Pegawai = { year: null, skp: null, indicators: new Map(), reload: async () => {} };
K.LABELS.aggregation = { sum: K.t("sum of entries"), mean: K.t("mean of entries"), latest: K.t("latest entry") };
K.LABELS.transition = {
  created: K.t("Drafted"),
  copied: K.t("Copied from last year"),
  edited: K.t("Edited"),
  submitted: K.t("Submitted"),
  approved: K.t("Approved"),
  returned: K.t("Returned"),
  revised: K.t("Revision started"),
};
