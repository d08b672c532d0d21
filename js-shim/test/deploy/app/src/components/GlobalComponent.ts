import { BaseComponent, Component, Global } from '@jovotech/framework';

/*
|--------------------------------------------------------------------------
| Global Component
|--------------------------------------------------------------------------
|
| LAUNCH counts the user's visits in $user.data, which the DynamoDB plugin
| loads before the handler and saves after it, and says the count.
|
*/
@Global()
@Component()
export class GlobalComponent extends BaseComponent {
  LAUNCH() {
    const visits = ((this.$user.data.visits as number | undefined) ?? 0) + 1;
    this.$user.data.visits = visits;
    return this.$send({ message: `Welcome! This is visit number ${visits}.` });
  }
}
