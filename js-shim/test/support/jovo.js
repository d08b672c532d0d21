// A real Jovo v4 app for the tests, driven request by request with the framework's own test
// platform (TestPlatform, TestRequestBuilder, TestServer).
//
// The framework's TestSuite is not used: its constructor requires '@jest/globals', which
// throws outside Jest. It also keeps $user.data in memory between runs, which would hide
// whether the data really came back from DynamoDB. Here each request starts from nothing
// but the request itself, as on AWS Lambda.
import { App, BaseComponent, Component, TestPlatform, TestRequestBuilder, TestServer } from '@jovotech/framework';

/** Counts visits in $user.data and steps in $session.data, and says what it saw. */
class VisitCounter extends BaseComponent {
  LAUNCH() {
    return this.countVisit();
  }

  VisitIntent() {
    return this.countVisit();
  }

  countVisit() {
    const wasNew = this.$user.isNew;
    this.$user.data.visits = (this.$user.data.visits ?? 0) + 1;
    this.$session.data.steps = (this.$session.data.steps ?? 0) + 1;
    return this.$send({
      message: `visit ${this.$user.data.visits}`,
      wasNew,
      visits: this.$user.data.visits,
      steps: this.$session.data.steps,
      historyLength: this.$history.items.length,
    });
  }
}
Component({ global: true })(VisitCounter);

/** Sets $user.data to a fixed value, for comparing stored items. */
export function storingComponent(userData) {
  class StoreFixture extends BaseComponent {
    LAUNCH() {
      this.$user.data = structuredClone(userData);
      return this.$send({ message: 'stored' });
    }
  }
  Component({ global: true })(StoreFixture);
  return StoreFixture;
}

/** A Jovo app with the test platform, the given database plugin and the visit counter. */
export function visitCounterApp(dbPlugin, components = [VisitCounter]) {
  // The test platform's response class carries no class-validator metadata, which
  // class-validator 0.14 rejects as "an unknown value": response validation stays off.
  const app = new App({
    plugins: [new TestPlatform(), dbPlugin],
    components,
    logging: false,
    output: { validation: false },
  });
  // The test platform's response carries no output; keep it on the server, as TestSuite does.
  app.middlewareCollection.use('after.response.end', (jovo) => {
    jovo.$server.output = jovo.$output;
  });
  return app;
}

/**
 * Handles one request of `userId` and returns its first output (the handler's report).
 * `newSession: true` sends a LAUNCH that starts a session; otherwise a VisitIntent in the
 * session `sessionId`.
 */
export async function visit(app, userId, { newSession = true, sessionId = 'session-1' } = {}) {
  await app.initialize();
  const builder = new TestRequestBuilder();
  const request = newSession ? builder.launch() : builder.intent('VisitIntent');
  request.setUserId(userId);
  request.setLocale('en');
  request.session.id = sessionId;
  const server = new RecordingServer(request);
  await app.handle(server);
  if (server.failure) throw server.failure;
  return server.output?.[0];
}

/** The framework's TestServer, failing loudly. */
class RecordingServer extends TestServer {
  fail(error) {
    this.failure = error;
  }
}
