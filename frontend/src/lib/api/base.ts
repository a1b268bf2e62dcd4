/**
 * Where the app lives: `/` normally, `/prefix/` behind a reverse proxy (`streamvis serve
 * --base-url /prefix`). The server puts `<base href="/prefix/">` into index.html; every
 * API request, the WebSocket and the router go through these helpers so that they stay
 * under it.
 */

/** The app's base path, always ending in `/`. */
export function basePath(): string {
  if (typeof document === 'undefined') return '/';
  const href = document.querySelector('base')?.getAttribute('href');
  if (!href) return '/';
  const path = new URL(href, location.href).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/** `/api/runs` -> `/prefix/api/runs`: an API path under the base path. */
export function apiUrl(path: string): string {
  return `${basePath()}${path.replace(/^\/+/, '')}`;
}

/** The page path without the base (`/prefix/runs` -> `/runs`), as the router matches it. */
export function stripBase(pathname: string, base: string = basePath()): string {
  if (base === '/' || !`${pathname}/`.startsWith(base)) return pathname;
  return `/${pathname.slice(base.length)}`;
}

/** A page path with the base (`/runs` -> `/prefix/runs`); paths already under it are kept. */
export function withBase(pathname: string, base: string = basePath()): string {
  if (base === '/' || `${pathname}/`.startsWith(base)) return pathname;
  return `${base}${pathname.replace(/^\/+/, '')}`;
}
