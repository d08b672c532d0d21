import { App } from '@jovotech/framework';
import { AlexaPlatform } from '@jovotech/platform-alexa';
import { DynamoDb } from 'jovo-dynamodb-wasm';

import { GlobalComponent } from './components/GlobalComponent';

/*
|--------------------------------------------------------------------------
| APP CONFIGURATION
|--------------------------------------------------------------------------
|
| The app as `jovo new` writes it, with the DynamoDB plugin configured the
| way its documentation shows. The endpoint comes from the environment: the
| deploy tests point it at a dynalite on 127.0.0.1.
|
*/
const app = new App({
  plugins: [
    new AlexaPlatform({
      intentMap: { 'AMAZON.StopIntent': 'END', 'AMAZON.CancelIntent': 'END' },
    }),
    new DynamoDb({
      table: { name: process.env.DYNAMODB_TABLE || 'jovo-deploy-app-users' },
      libraryConfig: {
        dynamoDbClient: {
          endpoint: process.env.DYNAMODB_ENDPOINT,
          region: process.env.AWS_REGION || 'us-east-1',
          credentials: { accessKeyId: 'deploy-test', secretAccessKey: 'deploy-test-secret' },
        },
      },
    }),
  ],
  components: [GlobalComponent],
  logging: false,
});

export { app };
