//! Pages and components of the console.

mod backups;
mod banner;
pub mod clock;
pub(crate) mod live;
mod overview;
mod restore;
mod run;
pub(crate) mod set;
mod time;

pub use backups::BackupsPage;
pub use banner::Banner;
pub use overview::OverviewPage;
pub use restore::{RestorePage, RestoreWizard, RestoresPage};
pub use run::RunPage;
