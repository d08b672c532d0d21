// Starts dynalite on 127.0.0.1 and prints one line, `listening http://127.0.0.1:<port>`,
// once it accepts connections. It stops on SIGTERM/SIGINT and, with --exit-with-stdin, when
// its standard input closes: a test process that dies without cleaning up takes the
// server with it.
//
//   node dynalite-server.cjs [--port N] [--create-table-ms MS] [--exit-with-stdin]
'use strict';
const dynalite = require('dynalite');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? Number(process.argv[at + 1]) : fallback;
}

const port = option('--port', 0);
// dynalite's default CREATING window: tables answer ResourceNotFound for 500 ms.
const createTableMs = option('--create-table-ms', 500);
const server = dynalite({ createTableMs, deleteTableMs: 50, updateTableMs: 50 });

server.listen(port, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
