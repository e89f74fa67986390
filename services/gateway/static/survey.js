"use strict";
(() => {
  const { el, fill } = K;
  const tenant = document.body.dataset.tenant;
  const token = document.body.dataset.token;
  const path = "/public/" + encodeURIComponent(tenant) + "/surveys/" + encodeURIComponent(token);
  const form = document.getElementById("survey-form");
  let questions = [];

  /* What a citizen reads when the token cannot be used. */
  function tokenProblem(err) {
    if (err instanceof K.ApiError) {
      const message = (err.reason && err.reason.message) || "";
      if (err.status === 404) return "Tautan survei ini tidak dikenal. Pindai kembali kode QR dari petugas.";
      if (err.status === 409 && message.includes("used")) return "Survei untuk layanan ini sudah diisi. Terima kasih atas partisipasi Anda.";
      if (err.status === 409 && message.includes("expired")) return "Masa berlaku tautan survei ini sudah habis. Mintalah kode QR baru kepada petugas.";
      if (err.status === 429) return "Terlalu banyak percobaan dari perangkat Anda. Tunggu satu menit lalu coba lagi.";
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
        "Layanan: " + (survey.service_type || "–") + " · " + survey.unit_name +
          ". Pilih satu jawaban untuk setiap pertanyaan (1 = tidak baik, 4 = sangat baik)."
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
              el("legend", { text: index + 1 + ". " + q.question }),
              el(
                "div",
                { class: "choices" },
                scale.map(([value, text]) =>
                  el("label", {}, el("input", { type: "radio", name: q.element, value, required: true }), value + " · " + text)
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
      K.notice("survey-message", "Masih ada pertanyaan yang belum dijawab (ditandai merah).", "error");
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
