// The preview page: tabs, dark mode, copy buttons, and reloading itself when the digest changes.
"use strict";
(() => {
  const body = document.body;
  const version = Number(body.dataset.version);
  const digest = body.dataset.digest;
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));

  // The view (tab, dark mode) lives in the URL hash, so a reload keeps it.
  const state = new URLSearchParams(location.hash.slice(1));
  const save = () => history.replaceState(null, "", "#" + state.toString());

  function selectTab(name) {
    if (!$("#tab-" + name)) name = "email";
    for (const tab of $$("[role=tab]")) {
      const on = tab.id === "tab-" + name;
      tab.setAttribute("aria-selected", String(on));
      $("#" + tab.getAttribute("aria-controls")).hidden = !on;
    }
    state.set("tab", name);
    save();
  }
  for (const tab of $$("[role=tab]")) {
    tab.addEventListener("click", () => selectTab(tab.id.slice(4)));
  }

  const dark = $("#dark");
  function setDark(on) {
    body.classList.toggle("dark", on);
    if (dark) dark.checked = on;
    for (const frame of $$("iframe[data-src]")) {
      const src = frame.dataset.src + (on ? "?scheme=dark" : "");
      if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
    }
    if (on) state.set("dark", "1"); else state.delete("dark");
    save();
  }
  if (dark) dark.addEventListener("change", () => setDark(dark.checked));

  // Frames keep their scroll position across a reload: editing a template deep in the email
  // must not send the reader back to the top every time.
  const scrollKey = "recapmail-scroll:" + digest;
  function rememberScroll() {
    const pos = {};
    for (const frame of $$("iframe")) {
      try { pos[frame.id] = frame.contentWindow.scrollY; } catch (e) { /* not loaded */ }
    }
    sessionStorage.setItem(scrollKey, JSON.stringify(pos));
  }
  const saved = JSON.parse(sessionStorage.getItem(scrollKey) || "{}");
  sessionStorage.removeItem(scrollKey);
  for (const frame of $$("iframe")) {
    frame.addEventListener("load", () => {
      if (saved[frame.id]) frame.contentWindow.scrollTo(0, saved[frame.id]);
    }, { once: true });
  }

  for (const button of $$(".see-more")) {
    button.addEventListener("click", () => button.closest(".post").classList.remove("folded"));
  }

  const texts = JSON.parse(($("#post-texts") || { textContent: "[]" }).textContent);
  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      return done;
    }
  }
  for (const button of $$("button.copy")) {
    button.addEventListener("click", async () => {
      const ok = await copy(texts[Number(button.dataset.index)]);
      button.textContent = ok ? "Copied ✓" : "Copy failed";
      button.classList.toggle("done", ok);
      setTimeout(() => { button.textContent = "Copy"; button.classList.remove("done"); }, 1800);
    });
  }

  const overlay = $("#error");
  $("#error-close").addEventListener("click", () => { overlay.hidden = true; });
  function showError(message) {
    $("#error-text").textContent = message || "";
    overlay.hidden = !message;
  }

  // Server-Sent Events: the server says when the digest was rendered again, or failed to.
  const live = $("#live");
  const events = new EventSource("/events?since=" + version + "&digest=" + encodeURIComponent(digest));
  events.addEventListener("open", () => live.classList.remove("off"));
  events.addEventListener("error", () => live.classList.add("off"));
  events.addEventListener("change", (event) => {
    const data = JSON.parse(event.data);
    if (data.error) {
      showError(data.error);
    } else if (data.version > version) {
      events.close();
      rememberScroll();
      location.reload();
    } else {
      showError(null);
    }
  });

  selectTab(state.get("tab") || "email");
  setDark(state.get("dark") === "1");
})();
