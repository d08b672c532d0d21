//! The scripted scenarios (retries, backoff, table waits, locking, retention) driven as
//! the blocking `client` methods do (host futures
//! ready at once). The same scenario files run under the other driver too,
//! which proves both paths behave identically.

mod common;

const DRIVER: common::Driver = common::Driver::Blocking;

#[path = "scripted/retries.rs"]
mod retries;

#[path = "scripted/locking.rs"]
mod locking;

#[path = "scripted/network.rs"]
mod network;
