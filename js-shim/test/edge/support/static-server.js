// A tiny static file server on 127.0.0.1 for the browser test and the wasm-from-URL test:
// serves the js-shim package folder (src/, dist/, examples/) with the media types a browser
// needs for ES modules and streaming WebAssembly compilation. Nothing outside the folder.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const MEDIA_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** @returns {Promise<{ origin: string, close: () => Promise<void> }>} */
export async function startStaticServer(root = PACKAGE_DIR) {
  const server = createServer((request, response) => serveFile(root, request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function serveFile(root, request, response) {
  const path = normalize(join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname)));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return answer(response, 403, 'outside the package');
  try {
    const body = await readFile(path);
    response.writeHead(200, { 'content-type': MEDIA_TYPES[extname(path)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    answer(response, 404, 'not found');
  }
}

function answer(response, status, text) {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(text);
}
