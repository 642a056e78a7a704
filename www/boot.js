// A classic script, so it runs where the page's modules cannot: opened from a file,
// the browser refuses module scripts, workers and WebAssembly from file:// URLs, and
// the page would otherwise sit there saying nothing. It explains why and what works.
// Once the modules run, main.js marks the body ready and the notice is hidden.
(function () {
  if (location.protocol !== 'file:') return;
  const boot = document.getElementById('boot');
  if (!boot) return;
  const p = (/** @type {string} */ text) => {
    const el = document.createElement('p');
    el.textContent = text;
    return el;
  };
  const list = document.createElement('ol');
  for (const way of [
    'From the project: run make serve, then open http://localhost:8080/ (the lab server, with every lab and its endpoints).',
    'Anywhere else: run make dist and put the dist/ folder on any web server, even one that sends no special headers ' +
      '(for a try on your own machine: python3 -m http.server, run inside dist/, then open the address it prints).',
  ]) {
    const li = document.createElement('li');
    li.textContent = way;
    list.append(li);
  }
  boot.replaceChildren(
    p('This page was opened from a file (file://), and browsers do not load a page\u2019s Web Workers or WebAssembly from files (Chromium not even its JavaScript modules), so none of the labs can start here.'),
    p('Two ways that work:'),
    list,
  );
})();
