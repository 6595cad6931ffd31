// Links inside a Forge view go through the product: Forge's iframe has no
// `allow-top-navigation`, so a plain `<a target="_top">` does nothing there
// (platform/forge/custom-ui/iframe, manifest-reference/modules/macro). One listener on the view's
// root catches every link click (the service's fragments and the view's own links alike, SVG
// links included) and asks the host to go there: `router.navigate` in the same tab, or
// `router.open` in a new one for `target="_blank"` and modifier clicks (@forge/bridge).
// The fragments stay the HTML the Connect pages use.
import { router } from '@forge/bridge';

function hrefOf(link) {
  return link.getAttribute('href') ?? link.getAttribute('xlink:href') ?? '';
}

// Where a click on `link` should go, or null when it is not the router's to follow.
export function destination(link, base) {
  if (!link || link.hasAttribute('download')) return null; // a file the view builds
  const href = hrefOf(link).trim();
  if (!href || href.startsWith('#') || /^(javascript|blob|data):/i.test(href)) return null;
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}

export function routeLinks(root, nav = router) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button > 0) return;
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (!link || !root.contains(link)) return;
    const url = destination(link, document.baseURI);
    if (url === null) return;
    event.preventDefault();
    const newTab = link.getAttribute('target') === '_blank' || event.ctrlKey || event.metaKey || event.shiftKey;
    (newTab ? nav.open(url) : nav.navigate(url)).catch(() => undefined);
  });
}
