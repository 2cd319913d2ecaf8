// anxin pages: tables that sort, filter and page; clocks that count down; charts from data.
// No library needed except Chart.js, loaded from /vendor by the pages that draw charts.
"use strict";

function cellValue(td) {
  const raw = td.dataset.value ?? td.textContent.trim();
  const n = Number(raw);
  return raw !== "" && !Number.isNaN(n) ? n : raw.toLowerCase();
}

function setupTable(table) {
  const size = Number(table.dataset.pageSize || 20);
  const body = table.tBodies[0];
  if (!body) return;
  const rows = Array.from(body.rows);
  let shown = rows, page = 0;
  const wrap = table.closest(".table-wrap") || table.parentElement;
  const tools = document.createElement("div");
  tools.className = "table-tools";
  const filter = document.createElement("input");
  filter.type = "search";
  filter.placeholder = table.dataset.filterLabel || "Filter";
  filter.setAttribute("aria-label", filter.placeholder);
  filter.dataset.test = "table-filter";
  tools.appendChild(filter);
  wrap.before(tools);
  const pager = document.createElement("div");
  pager.className = "pager";
  wrap.after(pager);

  function render() {
    const pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(page, pages - 1);
    rows.forEach((r) => { r.hidden = true; });
    shown.slice(page * size, (page + 1) * size).forEach((r) => { r.hidden = false; body.appendChild(r); });
    pager.innerHTML = "";
    if (pages > 1) {
      const prev = document.createElement("button");
      prev.className = "secondary"; prev.textContent = table.dataset.prevLabel || "‹";
      prev.disabled = page === 0; prev.onclick = () => { page -= 1; render(); };
      const next = document.createElement("button");
      next.className = "secondary"; next.textContent = table.dataset.nextLabel || "›";
      next.disabled = page >= pages - 1; next.onclick = () => { page += 1; render(); };
      const where = document.createElement("span");
      where.textContent = `${page + 1} / ${pages}`;
      pager.append(prev, where, next);
    }
  }
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    shown = rows.filter((r) => r.textContent.toLowerCase().includes(q));
    page = 0; render();
  });
  table.querySelectorAll("th[data-sort]").forEach((th, _) => {
    th.addEventListener("click", () => {
      const index = Array.from(th.parentElement.children).indexOf(th);
      const asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th[data-sort]").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      shown.sort((a, b) => {
        const x = cellValue(a.cells[index]), y = cellValue(b.cells[index]);
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.sort((a, b) => shown.indexOf(a) - shown.indexOf(b));
      page = 0; render();
    });
  });
  render();
}

function tick() {
  const now = Date.now();
  document.querySelectorAll("[data-deadline]").forEach((el) => {
    const left = Date.parse(el.dataset.deadline) - (now - START + SERVER_NOW);
    const over = left < 0, s = Math.floor(Math.abs(left) / 1000);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60), sec = s % 60;
    const text = (d ? `${d}d ` : "") + `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
    el.textContent = over ? `${el.dataset.overLabel || "overdue"} ${text}` : `${text} ${el.dataset.leftLabel || "left"}`;
    el.classList.toggle("bad", over);
  });
}

function drawCharts() {
  if (typeof Chart === "undefined") return;  // not installed: the tables beside say the same
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    new Chart(canvas, JSON.parse(canvas.dataset.chart));
  });
}

// The page's "now" is the server's clock (a demo's store lives at its own date).
const START = Date.now();
const SERVER_NOW = Date.parse(document.documentElement.dataset.now || "") || START;

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table[data-table]").forEach(setupTable);
  tick();
  setInterval(tick, 1000);
  drawCharts();
});
