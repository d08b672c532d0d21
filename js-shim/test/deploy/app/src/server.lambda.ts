import { Lambda } from '@jovotech/server-lambda';
import { app } from './app';

/*
|--------------------------------------------------------------------------
| AWS LAMBDA HANDLER
|--------------------------------------------------------------------------
|
| The template's Lambda entry point. `jovo deploy:code` bundles this file.
|
*/
export const handler = async (event: any, context: any, callback: any) => {
  await app.initialize();
  await app.handle(new Lambda(event, context, callback));
};
