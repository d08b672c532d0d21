//! The items the component returns, as JSON values: used by both stores.

use serde_json::Value;

use crate::{Error, StoreError};

/// The item text the component returned, as a `serde_json::Value`.
pub(crate) fn parse_item(text: Option<String>) -> Result<Option<Value>, Error> {
    text.map(|text| {
        serde_json::from_str(&text).map_err(|e| {
            // The component returns valid JSON; what serde_json refuses in it is a string
            // Rust cannot hold: a lone surrogate escape (`\ud83d`).
            Error::Store(StoreError::InvalidInput(format!(
                "the stored item holds a string that is not valid Unicode (a lone UTF-16 surrogate, as JavaScript can store; line {}, column {} of its JSON); load it with load_user_json to get the exact text, which save_user_json writes back unchanged",
                e.line(),
                e.column()
            )))
        })
    })
    .transpose()
}
