/** What the server says about itself (GET /api/info): read-only mode turns change controls off. */
import { setFieldTypes, type TypeInfo } from './fieldTypes.svelte';
import { getJSON } from './http';

export const serverInfo = $state({ readOnly: false, auth: false, loaded: false });

let loading: Promise<void> | null = null;

export function loadServerInfo(): Promise<void> {
  loading ??= getJSON<{ read_only?: boolean; auth?: boolean; types?: TypeInfo[] }>('/api/info')
    .then((info) => {
      serverInfo.readOnly = info.read_only === true;
      serverInfo.auth = info.auth === true;
      if (Array.isArray(info.types)) setFieldTypes(info.types);
    })
    .catch(() => {
      // An older server has no /api/info: it takes changes, and refusals still explain themselves.
    })
    .finally(() => {
      serverInfo.loaded = true;
    });
  return loading;
}
