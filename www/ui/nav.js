// The labs' navigation: the lab in the URL fragment is the current one, and so is the
// lab scrolled to (aria-current="page"). A module, not an inline script: the page is
// served with a Content-Security-Policy that runs no inline script.

/** Marks the current lab in `nav.labs` and keeps it marked as the page scrolls. */
export function labNavigation() {
  const links = [...document.querySelectorAll('nav.labs a')].map((a) => /** @type {HTMLAnchorElement} */ (a));
  const mark = (/** @type {string} */ id) => {
    for (const a of links) {
      if (a.hash === `#${id}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  };
  const sections = links.map((a) => document.getElementById(a.hash.slice(1))).filter(Boolean);
  addEventListener('hashchange', () => mark(location.hash.slice(1)));
  const seen = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) mark(e.target.id);
  }, { rootMargin: '-30% 0px -65% 0px' });
  for (const s of sections) seen.observe(s);
  mark(location.hash.slice(1) || 'mine');
}

/** Once the panels have filled in (moving the lab asked for), goes back to it. */
export function returnToFragment() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && scrollY > 0) target.scrollIntoView();
}
