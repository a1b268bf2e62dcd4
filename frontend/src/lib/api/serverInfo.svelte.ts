/**
 * What the server says about itself (GET /api/info): read-only mode turns change controls off;
 * the field types (lib/api/fieldTypes.svelte.ts) say how values parse and format; the plot
 * grammar (lib/api/grammar.ts) says which kinds and roles the UI offers and draws.
 */
import { setFieldTypes, type TypeInfo } from './fieldTypes.svelte';
import { setGrammar, type Grammar } from './grammar';
import { getJSON } from './http';

export const serverInfo = $state({ readOnly: false, auth: false, loaded: false, problem: null as string | null });

let loading: Promise<void> | null = null;

export function loadServerInfo(): Promise<void> {
  loading ??= getJSON<{ read_only?: boolean; auth?: boolean; grammar?: Grammar; types?: TypeInfo[] }>('/api/info')
    .then((info) => {
      serverInfo.readOnly = info.read_only === true;
      serverInfo.auth = info.auth === true;
      if (info.grammar) setGrammar(info.grammar);
      if (Array.isArray(info.types)) setFieldTypes(info.types);
    })
    .catch((e: unknown) => {
      // Without it the UI knows no plot kind; the pages say so rather than guess.
      serverInfo.problem = `GET /api/info failed (${e instanceof Error ? e.message : String(e)}): reload the page`;
    })
    .finally(() => {
      serverInfo.loaded = true;
    });
  return loading;
}
