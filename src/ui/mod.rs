//! Pages and components of the console.

mod audit;
mod auth;
mod backups;
mod banner;
pub mod clock;
pub(crate) mod live;
mod overview;
pub mod pages;
mod restore;
mod run;
mod schedules;
pub(crate) mod set;
mod time;
mod webhooks;

pub use audit::AuditPage;
pub use auth::{may, provide_me, Gate, UserMenu};
pub use backups::BackupsPage;
pub use banner::Banner;
pub use overview::OverviewPage;
pub use restore::{RestorePage, RestoreWizard, RestoresPage};
pub use run::RunPage;
pub use schedules::SchedulesPage;
