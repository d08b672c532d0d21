//! No redirect is ever followed (issue 16): a `307` to another origin would hand it the
//! signed request, session token included, and its answer would become the user's item.
//! Both stores give the 3xx to the component, which reports it as `malformed-response`
//! naming the target's origin (never its query), and nothing reaches the target.

#[path = "support/network_fixture.rs"]
mod network_fixture;
#[path = "support/stores.rs"]
mod stores;
mod support;

use network_fixture::NetworkFixture;
use stores::{AnyStore, KINDS};
use support::*;

#[test]
fn a_redirect_to_another_origin_is_malformed_response_and_never_followed() {
    let fixture = NetworkFixture::start(server());
    for kind in KINDS {
        let config = config(&fixture.endpoint("redirect"), "users");
        let mut store = AnyStore::open(runtime(), kind, config).unwrap();
        let error = store.load("user-1").unwrap_err();
        let text = format!("{error} {error:?}");
        assert_eq!(error.code(), "malformed-response", "{kind:?}: {text}");
        assert!(!text.contains("REDIRECT-SECRET"), "{kind:?}: {text}");
        let counts = fixture.counts();
        assert_eq!(counts["redirectTargetHits"], 0, "{kind:?}: {counts}");
    }
}
