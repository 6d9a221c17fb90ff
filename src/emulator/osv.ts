// A local OSV API from a folder of records (`osv/vulns/<ID>.json`, each as `GET /v1/vulns/{id}` answers):
// `POST /v1/querybatch` matches each query's package and version against the records' affected versions.

import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

interface Affected {
  package?: { ecosystem?: string; name?: string };
  versions?: string[];
}

interface Record {
  id: string;
  modified: string;
  affected?: Affected[];
}

const fold = (ecosystem: string, name: string) =>
  ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;

function records(root: string): Record[] {
  const dir = path.join(root, 'osv', 'vulns');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as Record);
}

function matches(r: Record, ecosystem: string, name: string, version: string): boolean {
  return (r.affected ?? []).some(
    (a) =>
      a.package?.ecosystem === ecosystem &&
      fold(ecosystem, a.package.name ?? '') === fold(ecosystem, name) &&
      (a.versions ?? []).includes(version),
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Answers `/osv/v1/querybatch` and `/osv/v1/vulns/{id}`; false for any other path. */
export function serveOsv(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (urlPath === '/osv/v1/querybatch') {
    if (req.method !== 'POST') {
      send(res, 405, { code: 12, message: 'Method Not Allowed' });
      return true;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let queries: Array<{ package?: { ecosystem?: string; name?: string }; version?: string }>;
      try {
        queries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { queries: typeof queries }).queries;
        if (!Array.isArray(queries)) throw new TypeError('no queries');
      } catch {
        send(res, 400, { code: 3, message: 'Invalid query.' });
        return;
      }
      const all = records(root);
      const results = queries.map((q) => {
        const found = all.filter((r) =>
          matches(r, q.package?.ecosystem ?? '', q.package?.name ?? '', q.version ?? ''),
        );
        // As OSV answers: an empty object for a version with no known vulnerability.
        return found.length === 0 ? {} : { vulns: found.map((r) => ({ id: r.id, modified: r.modified })) };
      });
      send(res, 200, { results });
    });
    return true;
  }
  const m = /^\/osv\/v1\/vulns\/([^/]+)$/.exec(urlPath);
  if (!m) return false;
  const id = decodeURIComponent(m[1] as string);
  const record = records(root).find((r) => r.id === id);
  if (record) send(res, 200, record);
  else send(res, 404, { code: 5, message: 'Bug not found.' });
  return true;
}
