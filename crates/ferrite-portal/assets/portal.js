// The little JavaScript the portal uses; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // On a phone the navigation folds behind a Menu button (without JavaScript it stays open).
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    const side = toggle.closest(".side");
    toggle.hidden = false;
    side.classList.add("foldable");
    toggle.addEventListener("click", () => {
      const open = side.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // Copy buttons: data-copy names the element whose text is copied.
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      const text = source ? source.textContent.trim() : "";
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        // No clipboard API (plain http on another host): select the text for Ctrl+C instead.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  }
  // Forms that ask before they act.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // Selects that submit their form on change (the organization switcher, the playground's app).
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Create App: redirect URIs only matter for Design apps.
  const design = document.querySelector("input[data-shows]");
  if (design) {
    const target = document.getElementById(design.dataset.shows);
    const update = () => { target.hidden = !design.checked; };
    design.addEventListener("change", update);
    update();
  }
});
