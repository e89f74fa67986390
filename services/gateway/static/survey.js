"use strict";
(() => {
  const { el, fill, t } = K;
  // The nine SKM questions (PermenPANRB 14/2017) in the reader's language, by element;
  // the service's own (Indonesian) text is the fallback for an element not listed here.
  const QUESTION = {
    persyaratan: "How well do the requirements match the kind of service?",
    prosedur: "How easy is the service procedure of this unit to understand?",
    waktu_pelayanan: "How fast was the service given?",
    biaya_tarif: "How fair is the cost or tariff of the service?",
    produk_layanan: "How well does the result match the product in the service standard?",
    kompetensi_pelaksana: "How competent were the officers who served you?",
    perilaku_pelaksana: "How polite and friendly were the officers?",
    sarana_prasarana: "How good are the facilities?",
    penanganan_pengaduan: "How well are users' complaints handled?",
  };
  const SCALE = { 1: "Not good", 2: "Not quite good", 3: "Good", 4: "Very good" };
  const tenant = document.body.dataset.tenant;
  const token = document.body.dataset.token;
  const path = "/public/" + encodeURIComponent(tenant) + "/surveys/" + encodeURIComponent(token);
  const form = document.getElementById("survey-form");
  let questions = [];

  /* What a citizen reads when the token cannot be used. */
  function tokenProblem(err) {
    if (err instanceof K.ApiError) {
      const message = (err.reason && err.reason.message) || "";
      if (err.status === 404) return t("This survey link is not known. Scan the officer's QR code again.");
      if (err.status === 409 && message.includes("used")) return t("The survey of this service has already been filled in. Thank you for taking part.");
      if (err.status === 409 && message.includes("expired")) return t("This survey link has expired. Ask the officer for a new QR code.");
      if (err.status === 429) return t("Too many attempts from your device. Wait a minute and try again.");
    }
    return K.errorText(err);
  }

  function fail(err) {
    form.hidden = true;
    K.notice("survey-message", tokenProblem(err), "error");
  }

  async function load() {
    try {
      const survey = await K.publicApi("feedback", path);
      questions = survey.questions;
      const scale = Object.entries(survey.scale).sort((a, b) => Number(a[0]) - Number(b[0]));
      fill(
        "survey-intro",
        t("Service: {service} · {unit}. Choose one answer to each question (1 = not good, 4 = very good).", {
          service: survey.service_type || "–",
          unit: survey.unit_name,
        })
      );
      fill(
        "questions",
        questions.map((q, index) =>
          el(
            "li",
            { dataset: { element: q.element } },
            el(
              "fieldset",
              {},
              el("legend", { text: index + 1 + ". " + (QUESTION[q.element] ? t(QUESTION[q.element]) : q.question) }),
              el(
                "div",
                { class: "choices" },
                scale.map(([value, text]) =>
                  el("label", {}, el("input", { type: "radio", name: q.element, value, required: true }), value + " · " + (SCALE[value] ? t(SCALE[value]) : text))
                )
              )
            )
          )
        )
      );
      document.getElementById("comment").maxLength = survey.max_comment_length;
      form.hidden = false;
    } catch (err) {
      fill("survey-intro", "");
      fail(err);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = {};
    let firstMissing = null;
    for (const q of questions) {
      const chosen = form.querySelector('input[name="' + q.element + '"]:checked');
      const item = form.querySelector('li[data-element="' + q.element + '"]');
      item.classList.toggle("missing", !chosen);
      if (chosen) answers[q.element] = Number(chosen.value);
      else if (!firstMissing) firstMissing = item;
    }
    if (firstMissing) {
      K.notice("survey-message", t("Some questions are not answered yet (marked in red)."), "error");
      firstMissing.scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    const button = form.querySelector("button");
    K.busy(button, true);
    try {
      await K.publicApi("feedback", path, {
        method: "POST",
        body: { answers, comment: document.getElementById("comment").value.trim() },
      });
      document.getElementById("survey-card").hidden = true;
      document.getElementById("thanks").hidden = false;
      window.scrollTo(0, 0);
    } catch (err) {
      if (err instanceof K.ApiError && err.status === 422) {
        K.notice("survey-message", K.errorText(err), "error");
      } else {
        fail(err);
      }
    } finally {
      K.busy(button, false);
    }
  });

  load();
})();
