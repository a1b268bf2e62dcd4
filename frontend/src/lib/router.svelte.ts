/**
 * A tiny router on the URL: the page is chosen by path, its state lives in the query string,
 * so every view can be bookmarked and shared. New pages (run search, plot builder) add a case
 * to `route` and a component in App.svelte.
 */
import { stripBase, withBase } from './api/base';
import { hasLayout, parseLayout, type LayoutResult } from './layout/urlLayout';

export type Route =
  | { page: 'dashboard'; layout: LayoutResult }
  | { page: 'home' }
  | { page: 'workspace' }
  | { page: 'runs' }
  | { page: 'run'; handle: string }
  | { page: 'build' }
  | { page: 'dashboards' }
  | { page: 'compare'; runs: string[] }
  | { page: 'not-found'; path: string };

/**
 * `href` is the URL the app last went to; `visit` counts arrivals (a link followed, back or
 * forward), so a page that keeps its state in its own URL (the builder) can key itself on
 * visits and rewrite its query string without being made anew.
 */
export const nav = $state({ href: location.href, visit: 0 });

export function route(href: string): Route {
  const url = new URL(href);
  const path = stripBase(url.pathname).replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/index.html') {
    if (hasLayout(url.searchParams)) return { page: 'dashboard', layout: parseLayout(url.searchParams) as LayoutResult };
    return { page: 'home' };
  }
  if (path === '/workspace') return { page: 'workspace' };
  if (path === '/runs') return { page: 'runs' };
  // A whole handle or a unique prefix of one (the page resolves it, then shows the whole).
  const run = /^\/runs\/([0-9a-fA-F-]{4,36})$/.exec(path);
  if (run?.[1]) return { page: 'run', handle: run[1].toLowerCase() };
  if (path === '/build') return { page: 'build' };
  if (path === '/dashboards') return { page: 'dashboards' };
  if (path === '/compare') {
    const runs = (url.searchParams.get('runs') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    return { page: 'compare', runs };
  }
  return { page: 'not-found', path: url.pathname };
}

/** Changes the query string of the current page without a new history entry (filters as you type). */
export function replaceQuery(query: string): void {
  const url = `${location.pathname}${query ? `?${query}` : ''}`;
  history.replaceState(null, '', url);
  nav.href = location.href;
}

export function navigate(href: string): void {
  // An app path written from the root (`/runs`) stays under a proxy's prefix.
  const url = new URL(href, location.href);
  if (url.origin === location.origin) url.pathname = withBase(url.pathname);
  history.pushState(null, '', url.href);
  nav.href = location.href;
  nav.visit += 1;
}

/** Rewrites the current page's query string as its state changes: no history entry, no visit. */
export function replaceQueryQuietly(query: string): void {
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
}

window.addEventListener('popstate', () => {
  nav.href = location.href;
  nav.visit += 1;
});

/** Click handler for in-app links: plain clicks navigate without reloading the page. */
export function link(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
  e.preventDefault();
  navigate(a.href);
}
