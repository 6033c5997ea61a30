//! Pages and components of the console.

mod backups;
mod banner;
pub mod clock;
mod overview;
mod run;
mod set;
mod time;

pub use backups::BackupsPage;
pub use banner::Banner;
pub use overview::OverviewPage;
pub use run::RunPage;
