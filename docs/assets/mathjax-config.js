// MathJax 3, served from the site itself (no CDN): see mkdocs.yml.
window.MathJax = {
  tex: {
    // \( \) from arithmatex on the pages; $ $ in the workbooks' Markdown
    // cells (rendered by mkdocs-jupyter; page.js marks their elements)
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  svg: { fontCache: "global" },
};

// Material's instant navigation swaps page content without a reload.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax.typesetPromise) {
      const output = MathJax.startup.output;
      if (output && typeof output.clearCache === "function") {
        output.clearCache();
      }
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
