//! Which line a call came to: the settings kept for the number dialled, else the default
//! line's, else the built-in defaults. A damaged setting never stops a call: it is logged and
//! the defaults answer.

use hotline_routes::line::Line;

use crate::store::{Store, StoreResult};

/// The key of the line that serves every number without its own settings.
pub const DEFAULT_LINE: &str = "default";

pub async fn for_number(store: &dyn Store, number: &str) -> StoreResult<Line> {
    for key in [number, DEFAULT_LINE] {
        if let Some(body) = store.line(key).await? {
            match serde_json::from_str::<Line>(&body) {
                Ok(line) => return Ok(line),
                Err(error) => {
                    tracing::error!(%error, line = key, "a line's settings cannot be read; using the defaults")
                }
            }
        }
    }
    Ok(Line::default())
}
