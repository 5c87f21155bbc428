// A link to something inside a folded answer opens the fold(s) around it;
// a link to an exercise's heading shows the question with its answer
// still folded (try first).
function openFoldsAroundTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id && document.getElementById(id);
  for (let node = target; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
  if (target) target.scrollIntoView();
}
window.addEventListener("hashchange", openFoldsAroundTarget);
document.addEventListener("DOMContentLoaded", openFoldsAroundTarget);

// "Report a mistake" names the section the reader is in: the last h2/h3
// above the top of the window when the link is clicked.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.mlp-report");
  if (!link) return;
  let section = "";
  for (const h of document.querySelectorAll("article h2, article h3")) {
    if (h.getBoundingClientRect().top > 80) break;
    section = h.textContent.replace("¶", "").trim();
  }
  link.dataset.base = link.dataset.base || link.href;
  const url = new URL(link.dataset.base);
  const body = url.searchParams.get("body") || "";
  url.searchParams.set("body", body.replace("Section: ", "Section: " + section));
  link.href = url.toString();
});

// Workbook pages (mkdocs-jupyter): their Markdown keeps TeX as $...$.
// MathJax here typesets only elements of class "arithmatex" (and never
// code), so mark the text elements of the Markdown cells before it runs.
function markWorkbookMath() {
  document
    .querySelectorAll(".jp-RenderedMarkdown :is(p, li, em, strong, h2, h3)")
    .forEach((e) => {
      if (e.textContent.includes("$")) e.classList.add("arithmatex");
    });
}
markWorkbookMath();
