// Rolodex pages: small enhancements over forms that work without them.
"use strict";

// Search as you type: a search box with data-live="ID" refreshes the element ID with the
// rows the server finds for what is typed, and keeps the address in step.
for (const input of document.querySelectorAll("input[data-live]")) {
  const target = document.getElementById(input.dataset.live);
  const form = input.form;
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const params = new URLSearchParams(new FormData(form));
      const shown = form.action + "?" + params.toString();
      params.set("partial", "1");
      const ticket = ++asked;
      try {
        const response = await fetch(form.action + "?" + params.toString(), {
          headers: { Accept: "text/html" },
          credentials: "same-origin",
        });
        if (!response.ok || ticket !== asked) return;
        target.innerHTML = await response.text();
        history.replaceState(null, "", shown);
      } catch (_) {
        // The form still submits normally.
      }
    }, 200);
  });
}

// Photo preview: a file input with data-preview="ID" shows the chosen image in the img ID.
for (const input of document.querySelectorAll("input[type=file][data-preview]")) {
  const preview = document.getElementById(input.dataset.preview);
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file) {
      preview.hidden = true;
      return;
    }
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  });
}

// Buttons with data-confirm ask before their form is sent.
for (const button of document.querySelectorAll("button[data-confirm]")) {
  button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
}

// Links with data-back go back when there is a page to go back to.
for (const link of document.querySelectorAll("a[data-back]")) {
  link.addEventListener("click", (event) => {
    if (history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
}
