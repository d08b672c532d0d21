// An ES module consumer of the package: `import { DynamoDb } from 'jovo-dynamodb-wasm'` in a
// Jovo app written as .mjs, handling two LaunchRequests for one user through the Lambda server.
//
//   node esm-consumer.mjs <userId>     (DYNAMODB_ENDPOINT, DYNAMODB_TABLE from the environment)
//
// Prints the two speeches and exits 0 when they count visits 1 and 2.
import { App, BaseComponent, Component, Global } from '@jovotech/framework';
import { AlexaPlatform } from '@jovotech/platform-alexa';
import { Lambda } from '@jovotech/server-lambda';
import { DynamoDb } from 'jovo-dynamodb-wasm';

if (typeof DynamoDb !== 'function') throw new Error(`DynamoDb is ${typeof DynamoDb}, not a class`);

class VisitComponent extends BaseComponent {
  LAUNCH() {
    this.$user.data.visits = (this.$user.data.visits ?? 0) + 1;
    return this.$send({ message: `This is visit number ${this.$user.data.visits}.` });
  }
}
Global()(VisitComponent);
Component()(VisitComponent);

const app = new App({
  plugins: [
    new AlexaPlatform(),
    new DynamoDb({
      table: { name: process.env.DYNAMODB_TABLE },
      libraryConfig: {
        dynamoDbClient: {
          endpoint: process.env.DYNAMODB_ENDPOINT,
          region: 'us-east-1',
          credentials: { accessKeyId: 'deploy-test', secretAccessKey: 'deploy-test-secret' },
        },
      },
    }),
  ],
  components: [VisitComponent],
  logging: false,
});

const userId = process.argv[2];
const request = (n) => ({
  version: '1.0',
  session: { new: true, sessionId: `session-${n}`, application: { applicationId: 'esm' }, attributes: {}, user: { userId } },
  context: { System: { application: { applicationId: 'esm' }, user: { userId }, device: { deviceId: 'esm', supportedInterfaces: {} } } },
  request: { type: 'LaunchRequest', requestId: `request-${n}`, timestamp: new Date().toISOString(), locale: 'en-US' },
});

await app.initialize();
let ok = true;
for (const expected of [1, 2]) {
  const response = await new Promise((resolve, reject) => {
    app.handle(new Lambda(request(expected), {}, (error, result) => (error ? reject(error) : resolve(result)))).catch(reject);
  });
  const speech = response.response.outputSpeech.ssml;
  console.log(speech);
  ok &&= speech.includes(`visit number ${expected}.`);
}
process.exit(ok ? 0 : 1);
