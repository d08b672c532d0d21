// A DynamoDB stand-in that answers at once with canned, valid responses, so that what a
// benchmark measures is the client. Keep-alive HTTP/1.1 on 127.0.0.1; every answer has the
// x-amz-crc32 header DynamoDB sends (our component and botocore check it).
//   DescribeTable  ACTIVE, key schema userId (S, HASH)
//   GetItem        the canned item: bench/items/large.json when the key mentions
//                  "bench-large", else small.json (marshalled as @aws-sdk/util-dynamodb does)
//   PutItem        {}
//   anything else  400 UnknownOperationException
// Usage: node stub.cjs [--port N] [--exit-with-stdin]; prints "listening http://127.0.0.1:<port>".
'use strict';
const http = require('node:http');
const zlib = require('node:zlib');
const fs = require('node:fs');
const path = require('node:path');
const { marshal } = require('../items/marshal.cjs');

const args = process.argv.slice(2);
const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 0;

function canned(body) {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { bytes, crc: String(zlib.crc32(bytes)) };
}

const items = {};
for (const shape of ['small', 'large']) {
  const item = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'items', `${shape}.json`), 'utf8'));
  items[shape] = canned({ Item: { userId: { S: `bench-${shape}` }, ...marshal(item).M } });
}
const answers = {
  DescribeTable: canned({
    Table: {
      TableName: 'bench-users', TableStatus: 'ACTIVE', ItemCount: 0, TableSizeBytes: 0,
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2, NumberOfDecreasesToday: 0 },
      TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/bench-users',
      CreationDateTime: 1764000000,
    },
  }),
  PutItem: canned('{}'),
};
const unknown = canned({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'not in the stub' });

let requests = 0;
const server = http.createServer((req, res) => {
  const target = String(req.headers['x-amz-target'] || '').split('.')[1];
  const chunks = target === 'GetItem' ? [] : null;
  req.on('data', (chunk) => chunks && chunks.push(chunk));
  req.on('end', () => {
    requests += 1;
    let answer = answers[target];
    if (target === 'GetItem') answer = Buffer.concat(chunks).includes('bench-large') ? items.large : items.small;
    res.writeHead(answer ? 200 : 400, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': (answer || unknown).bytes.length,
      'x-amzn-requestid': `stub-${requests}`,
      'x-amz-crc32': (answer || unknown).crc,
    });
    res.end((answer || unknown).bytes);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
