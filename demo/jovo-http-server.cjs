// The bundled Jovo Lambda handler behind HTTP, as API Gateway or the Alexa skill endpoint
// would call it: POST an Alexa request envelope, get the Alexa response back.
//   node jovo-http-server.cjs <bundle>      prints "listening <url>" when ready
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const { handler } = require(require('node:path').resolve(process.argv[2]));

function invoke(event) {
  return new Promise((resolve, reject) => {
    const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 };
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    Promise.resolve(handler(event, context, callback)).then((value) => value !== undefined && resolve(value), reject);
  });
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const answer = await invoke(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}/`));
