//! The two ways a host drives the guest's async logic. Both run the very same futures, so
//! retries, table waits, locking and expiry behave identically on either path.
//!
//! - **Blocking** ([`block_on`] over [`ImportHost`]): `send` and `sleep` call the `host`
//!   imports, which block, so every future is ready when first polled. This is the path of
//!   the wasmtime hosts (Rust, Python), a thread per caller.
//! - **Step by step** ([`StepOperation`] over [`StepHost`]): `send` and `sleep` park what
//!   they need in a mailbox and return `Pending`; the host reads it as the next [`Step`],
//!   performs it with its own async I/O and hands the outcome back through
//!   [`StepOperation::advance`]. No runtime crate and no real waker are needed: the host
//!   itself is the only thing that can make progress, and it polls by advancing. This is
//!   the path of event-loop hosts (JavaScript, asyncio, tokio), the sans-IO design of h11 and
//!   quinn-proto.

use std::cell::Cell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::bindings::exports::jovo::dynamodb::store::StoreError;
use crate::host::{AwsCredentials, Environment, Host, HttpRequest, Outcome, TransportError};
#[cfg(not(feature = "wasi"))]
use crate::imports::{ImportEnvironment, ImportHost};

/// Runs a future whose every await is ready at once (one over the blocking host). `None` if it
/// was not, which would mean a host future that waits: a bug of ours, reported rather than
/// spun on.
pub fn block_on<F: Future>(future: F) -> Option<F::Output> {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// The error [`block_on`]'s `None` and other impossible states turn into.
pub fn internal_error(what: &str) -> StoreError {
    StoreError::MalformedResponse(format!(
        "internal error in the component: {what}; please report it to jovo-dynamodb-wasm"
    ))
}

/// What a step-driven operation needs from its host next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, with this timeout in milliseconds, and advance with the outcome.
    Send(HttpRequest, u32),
    /// Wait this many milliseconds, then advance with no outcome.
    Sleep(u32),
    /// Finished.
    Done(Result<T, StoreError>),
}

enum Need {
    Send(HttpRequest, u32),
    Sleep(u32),
}

/// Between one operation's future and its driver: what the future waits for, and the
/// outcome the host handed back.
#[derive(Default)]
struct Mailbox {
    need: Cell<Option<Need>>,
    outcome: Cell<Option<Outcome>>,
}

/// The host of one step-driven operation: the environment answers at once, `send` and
/// `sleep` become steps.
pub struct StepHost<E> {
    mailbox: Rc<Mailbox>,
    environment: E,
}

impl<E: Environment> Environment for StepHost<E> {
    fn now_ms(&self) -> u64 {
        self.environment.now_ms()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        self.environment.credentials()
    }
}

impl<E: Environment> Host for StepHost<E> {
    fn send(&self, request: HttpRequest, timeout_ms: u32) -> impl Future<Output = Outcome> {
        Exchange {
            mailbox: Rc::clone(&self.mailbox),
            need: Some(Need::Send(request, timeout_ms)),
        }
    }

    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        let exchange = Exchange {
            mailbox: Rc::clone(&self.mailbox),
            need: Some(Need::Sleep(ms)),
        };
        async move {
            // Whatever the host handed back after a sleep means nothing.
            let _ = exchange.await;
        }
    }
}

/// Pending once, with its need in the mailbox; ready with the host's outcome when polled
/// again (the driver polls only after the host advanced).
struct Exchange {
    mailbox: Rc<Mailbox>,
    need: Option<Need>,
}

impl Future for Exchange {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Outcome> {
        if let Some(need) = self.need.take() {
            self.mailbox.need.set(Some(need));
            return Poll::Pending;
        }
        Poll::Ready(self.mailbox.outcome.take().unwrap_or_else(|| {
            Err(TransportError::Failed(
                "the host advanced a send step without its outcome".into(),
            ))
        }))
    }
}

/// The blocking host and the environment of the world being built: the `host` imports
/// (world `persistence`), or WASI (world `persistence-wasi`, [`crate::wasi`]).
#[cfg(not(feature = "wasi"))]
pub type BlockingHost = ImportHost;
#[cfg(not(feature = "wasi"))]
pub type PlatformEnvironment = ImportEnvironment;
#[cfg(not(feature = "wasi"))]
pub const BLOCKING: BlockingHost = ImportHost;
#[cfg(not(feature = "wasi"))]
pub const ENVIRONMENT: PlatformEnvironment = ImportEnvironment;
#[cfg(feature = "wasi")]
pub type BlockingHost = crate::wasi::WasiHost<crate::wasi::Wasi>;
#[cfg(feature = "wasi")]
pub type PlatformEnvironment = BlockingHost;
#[cfg(feature = "wasi")]
pub const BLOCKING: BlockingHost = crate::wasi::WasiHost(crate::wasi::Wasi);
#[cfg(feature = "wasi")]
pub const ENVIRONMENT: PlatformEnvironment = BLOCKING;

/// The component's host on either path, as one type: the guest's logic is compiled once
/// for it instead of once per path (async state machines are most of the component's
/// code, and a second copy cost about 60 KB).
pub enum ComponentHost {
    Blocking(BlockingHost),
    Stepped(StepHost<PlatformEnvironment>),
}

impl Environment for ComponentHost {
    fn now_ms(&self) -> u64 {
        ENVIRONMENT.now_ms()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        ENVIRONMENT.credentials()
    }
}

impl Host for ComponentHost {
    async fn send(&self, request: HttpRequest, timeout_ms: u32) -> Outcome {
        match self {
            ComponentHost::Blocking(host) => host.send(request, timeout_ms).await,
            ComponentHost::Stepped(host) => host.send(request, timeout_ms).await,
        }
    }

    async fn sleep(&self, ms: u32) {
        match self {
            ComponentHost::Blocking(host) => host.sleep(ms).await,
            ComponentHost::Stepped(host) => host.sleep(ms).await,
        }
    }
}

type Running<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + 'a>>;

/// One operation driven step by step. Owns its future; abandoning it mid-way is safe (the
/// client's shared state is only ever updated between steps).
pub struct StepOperation<'a, T> {
    running: Option<Running<'a, T>>,
    mailbox: Rc<Mailbox>,
}

impl<'a, T> StepOperation<'a, T> {
    /// `operation` receives this operation's host and returns the work to do with it.
    pub fn start<E, F, Fut>(environment: E, operation: F) -> StepOperation<'a, T>
    where
        E: Environment,
        F: FnOnce(StepHost<E>) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + 'a,
    {
        let mailbox = Rc::new(Mailbox::default());
        let host = StepHost {
            mailbox: Rc::clone(&mailbox),
            environment,
        };
        StepOperation {
            running: Some(Box::pin(operation(host))),
            mailbox,
        }
    }

    /// Hands over the outcome of the previous `Send` step (`None` at the start and after a
    /// `Sleep`) and runs the operation to its next step.
    pub fn advance(&mut self, outcome: Option<Outcome>) -> Step<T> {
        let Some(running) = self.running.as_mut() else {
            return Step::Done(Err(StoreError::InvalidInput(
                "this operation is already done; start a new one".into(),
            )));
        };
        self.mailbox.outcome.set(outcome);
        let polled = running
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        self.mailbox.outcome.set(None);
        match polled {
            Poll::Ready(result) => {
                self.running = None;
                Step::Done(result)
            }
            Poll::Pending => match self.mailbox.need.take() {
                Some(Need::Send(request, timeout_ms)) => Step::Send(request, timeout_ms),
                Some(Need::Sleep(ms)) => Step::Sleep(ms),
                None => {
                    self.running = None;
                    Step::Done(Err(internal_error("an operation waited for nothing")))
                }
            },
        }
    }
}
