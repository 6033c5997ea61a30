//! Wire types of the management APIs, as documented in `shared/camunda-api.md`. Parsing is
//! lenient where the documentation is unsure (optional fields, unknown enum values kept as text).

mod elasticsearch;
mod webapp;
mod zeebe;

pub use elasticsearch::*;
pub use webapp::*;
pub use zeebe::*;
