//! The scripted scenarios (retries, backoff, table waits, locking, retention) driven as
//! `client.start` does (the test performs each send and sleep step). The same scenario
//! files run under the other driver too, which proves both paths behave identically.
//! Below them, what only the step path has: operations in flight at once.

mod common;

const DRIVER: common::Driver = common::Driver::Stepped;

#[path = "scripted/retries.rs"]
mod retries;

#[path = "scripted/locking.rs"]
mod locking;

#[path = "scripted/network.rs"]
mod network;

mod in_flight {
    use crate::common::*;
    use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::{
        OperationRequest, OperationResult, StoreError,
    };
    use jovo_dynamodb_wasm::client::Client;
    use jovo_dynamodb_wasm::config::Settings;
    use jovo_dynamodb_wasm::drive::{Step, StepOperation};
    use jovo_dynamodb_wasm::host::HttpRequest;

    fn target(request: &HttpRequest) -> &str {
        request
            .headers
            .iter()
            .find(|(name, _)| name == "x-amz-target")
            .map_or("", |(_, value)| {
                value.trim_start_matches("DynamoDB_20120810.")
            })
    }

    fn load<'a>(
        client: &Client<&'a ScriptedHost>,
        host: &'a ScriptedHost,
        user: &str,
    ) -> StepOperation<'a, OperationResult> {
        let request = OperationRequest::LoadUser(user.into());
        StepOperation::start(host, |step_host| {
            let client = client.with_host(step_host);
            async move { client.run(request).await }
        })
    }

    #[test]
    fn two_loads_of_one_client_interleave_and_each_gets_its_own_answer() {
        let host = ScriptedHost::answering(vec![]);
        let client = Client::new(Settings::from_wit(existing_table()).unwrap(), &host);
        let mut first = load(&client, &host, "first");
        let mut second = load(&client, &host, "second");
        let (Step::Send(a, _), Step::Send(b, _)) = (first.advance(None), second.advance(None))
        else {
            panic!("both loads should start with a GetItem");
        };
        assert_eq!((target(&a), target(&b)), ("GetItem", "GetItem"));
        // Answered in the opposite order, each operation keeps its own answer.
        let second_done = second.advance(Some(ok(r#"{"Item":{"userId":{"S":"second"}}}"#)));
        let first_done = first.advance(Some(ok("{}")));
        match (first_done, second_done) {
            (
                Step::Done(Ok(OperationResult::LoadUser(None))),
                Step::Done(Ok(OperationResult::LoadUser(Some(item)))),
            ) => assert_eq!(item, r#"{"userId":"second"}"#),
            other => panic!("unexpected outcomes {other:?}"),
        }
    }

    #[test]
    fn once_one_operation_ensured_the_table_the_others_skip_it() {
        let host = ScriptedHost::answering(vec![]);
        let client = Client::new(Settings::from_wit(config()).unwrap(), &host);
        let mut first = load(&client, &host, "first");
        let Step::Send(describe, _) = first.advance(None) else {
            panic!("the first operation should describe the table");
        };
        assert_eq!(target(&describe), "DescribeTable");
        let Step::Send(get, _) = first.advance(Some(table("ACTIVE"))) else {
            panic!("then load");
        };
        assert_eq!(target(&get), "GetItem");
        let mut later = load(&client, &host, "later");
        let Step::Send(request, _) = later.advance(None) else {
            panic!("a later operation should send at once");
        };
        assert_eq!(target(&request), "GetItem");
    }

    #[test]
    fn advancing_a_finished_operation_is_an_error_not_a_trap() {
        let host = ScriptedHost::answering(vec![]);
        let client = Client::new(Settings::from_wit(existing_table()).unwrap(), &host);
        let mut operation = load(&client, &host, "u");
        operation.advance(None);
        assert!(matches!(
            operation.advance(Some(ok("{}"))),
            Step::Done(Ok(_))
        ));
        match operation.advance(None) {
            Step::Done(Err(StoreError::InvalidInput(message))) => {
                assert!(message.contains("already done"), "{message}")
            }
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn a_send_step_advanced_without_its_outcome_counts_as_a_failed_attempt() {
        let host = ScriptedHost::answering(vec![]);
        let client = Client::new(Settings::from_wit(existing_table()).unwrap(), &host);
        let mut operation = load(&client, &host, "u");
        operation.advance(None);
        assert!(
            matches!(operation.advance(None), Step::Sleep(_)),
            "retried after a backoff"
        );
        assert!(matches!(operation.advance(None), Step::Send(_, _)));
    }
}
