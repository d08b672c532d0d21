//! A clock that is off (issue 16): the fixture's `skewAhead` and `skewBehind` servers keep a
//! clock 15 minutes ahead of or behind this machine's and refuse a signature more than 5
//! minutes from it, as DynamoDB does (`InvalidSignatureException`, with their own `Date`).
//! The component corrects its clock from that `Date`, signs again and succeeds, and the
//! client's later requests use the correction, in both stores.

#[path = "support/network_fixture.rs"]
mod network_fixture;
#[path = "support/stores.rs"]
mod stores;
mod support;

use network_fixture::NetworkFixture;
use stores::{AnyStore, KINDS};
use support::*;

#[test]
fn a_server_whose_clock_is_fifteen_minutes_off_either_way_is_answered_after_one_correction() {
    let fixture = NetworkFixture::start(server());
    for skew in ["skewAhead", "skewBehind"] {
        for kind in KINDS {
            let table = unique_table("skewed");
            let mut store =
                AnyStore::open(runtime(), kind, config(&fixture.endpoint(skew), &table)).unwrap();
            fixture.reset();
            for i in 0..3 {
                store
                    .round_trip(&format!("user-{i}"))
                    .unwrap_or_else(|e| panic!("{kind:?} {skew}: {e}"));
            }
            // The first operation (table check and creation, then the save) may be refused
            // twice while the offset is learnt; the later ones never are.
            let first = fixture.counts()["skewRefused"].as_u64().unwrap();
            assert!(
                (1..=2).contains(&first),
                "{kind:?} {skew}: refused {first} times"
            );
            store.round_trip("later-user").unwrap();
            let counts = fixture.counts();
            assert_eq!(
                counts["skewRefused"].as_u64().unwrap(),
                first,
                "{kind:?} {skew}: the corrected clock is kept: {counts}"
            );
        }
    }
}
