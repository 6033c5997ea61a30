//! Server entry point: settings → tracing → application → serve until Ctrl-C / SIGTERM.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use camunda_backup_console::{config, startup::Application};
    use std::process::ExitCode;
    use tracing_subscriber::EnvFilter;

    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,camunda_sim=info")),
        )
        .init();

    let config_path = config_path();
    if std::env::args().nth(1).as_deref() == Some("check-config") {
        return check_config(config_path.as_deref());
    }
    let settings = match config::load(config_path.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            return ExitCode::from(2);
        }
    };
    if let Some(command) = user_command() {
        return run_user_command(&settings, command).await;
    }
    let leptos_options = match leptos_options(settings.listen) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("Leptos configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let app = match Application::build(settings, leptos_options).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            return ExitCode::FAILURE;
        }
    };
    match app.local_addr() {
        Ok(addr) => {
            tracing::info!("console listening on http://{addr}");
            show_sign_in(addr, app.generated_admin_password());
        }
        Err(e) => tracing::warn!("{}", error_chain(&e)),
    }
    if let Err(e) = app.run_until(shutdown_signal()).await {
        tracing::error!("{}", error_chain(&e));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `check-config [--config PATH]`: validates the configuration (the file and the `CONSOLE_*`
/// environment) as a start would, names every problem on standard error, and exits 0 when
/// there is none, 2 otherwise. Nothing is started and nothing is written.
#[cfg(feature = "ssr")]
fn check_config(path: Option<&std::path::Path>) -> std::process::ExitCode {
    use std::io::Write;
    let problems = camunda_backup_console::config::check(path);
    let what = path.map_or_else(
        || "the configuration (no file: defaults and CONSOLE_* variables)".to_owned(),
        |p| p.display().to_string(),
    );
    let mut err = std::io::stderr().lock();
    if problems.is_empty() {
        let _ = writeln!(err, "{what}: valid");
        return std::process::ExitCode::SUCCESS;
    }
    let _ = writeln!(err, "{what}: {} problem(s)", problems.len());
    for p in &problems {
        let _ = writeln!(err, "  - {}", error_chain(p));
    }
    std::process::ExitCode::from(2)
}

/// Says once, on the terminal (not in the log), how to sign in; a generated password is shown
/// here and nowhere else (only its hash is stored).
#[cfg(feature = "ssr")]
fn show_sign_in(addr: std::net::SocketAddr, generated: Option<&secrecy::SecretString>) {
    use secrecy::ExposeSecret;
    use std::io::Write;
    let Some(password) = generated else {
        tracing::info!("sign in at http://{addr}/login (lost the admin password? start with CONSOLE_ADMIN_PASSWORD set, or run `camunda-backup-console user set admin --role admin` with the new password on standard input)");
        return;
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n  Sign in at http://{addr}/login\n    Username: admin\n    Password: {}\n  Shown once; only its hash is stored. Set CONSOLE_ADMIN_PASSWORD to choose it instead.\n",
        password.expose_secret()
    );
}

/// `user set <name> --role <viewer|operator|admin>` (the password is read from standard
/// input), or `user sessions revoke <name>`.
#[cfg(feature = "ssr")]
enum UserCommand {
    Set { name: String, role: Option<String> },
    Revoke { name: String },
    Usage,
}

#[cfg(feature = "ssr")]
fn user_command() -> Option<UserCommand> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let at = args.iter().position(|a| a == "user")?;
    let word = |i: usize| args.get(at + i).map(String::as_str);
    Some(match (word(1), word(2)) {
        (Some("set"), Some(name)) => UserCommand::Set {
            name: name.to_owned(),
            role: args
                .iter()
                .position(|a| a == "--role")
                .and_then(|i| args.get(i + 1).cloned()),
        },
        (Some("sessions"), Some("revoke")) => match word(3) {
            Some(name) => UserCommand::Revoke {
                name: name.to_owned(),
            },
            None => UserCommand::Usage,
        },
        _ => UserCommand::Usage,
    })
}

#[cfg(feature = "ssr")]
const USER_USAGE: &str = "usage: camunda-backup-console user set <name> --role <viewer|operator|admin> (the password is read from standard input), or user sessions revoke <name> (a local user's name, or a single sign-on account's sub or name)";

#[cfg(feature = "ssr")]
async fn run_user_command(
    settings: &camunda_backup_console::config::Settings,
    command: UserCommand,
) -> std::process::ExitCode {
    use camunda_backup_console::domain::Role;
    use std::process::ExitCode;
    let (name, role) = match command {
        UserCommand::Set { name, role } => (name, role.as_deref().and_then(Role::parse)),
        UserCommand::Revoke { name } => return revoke(settings, &name).await,
        UserCommand::Usage => {
            tracing::error!("{USER_USAGE}");
            return ExitCode::from(2);
        }
    };
    let (Some(role), false) = (role, name.is_empty()) else {
        tracing::error!("{USER_USAGE}");
        return ExitCode::from(2);
    };
    let mut line = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut line) {
        tracing::error!("could not read the password from standard input: {e}");
        return ExitCode::from(2);
    }
    let password = secrecy::SecretString::from(line.trim_end_matches(['\n', '\r']).to_owned());
    let Some(store) = journal_beside(settings).await else {
        return ExitCode::FAILURE;
    };
    match camunda_backup_console::auth::set_user(&store, &name, role, &password).await {
        Ok(()) => {
            tracing::info!(user = %name, %role, "user saved; their open sessions ended");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

/// The journal opened beside a running console, for the `user` commands (the failure logged).
#[cfg(feature = "ssr")]
async fn journal_beside(
    settings: &camunda_backup_console::config::Settings,
) -> Option<camunda_backup_console::store::Store> {
    match camunda_backup_console::store::Store::connect_beside(
        &settings.database_url,
        settings.database_password_file.as_deref(),
    )
    .await
    {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            None
        }
    }
}

/// `user sessions revoke <name>`: ends every session of the user.
#[cfg(feature = "ssr")]
async fn revoke(
    settings: &camunda_backup_console::config::Settings,
    name: &str,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let Some(store) = journal_beside(settings).await else {
        return ExitCode::FAILURE;
    };
    match camunda_backup_console::auth::revoke_sessions(&store, name).await {
        Ok(n) => {
            tracing::info!(user = %name, sessions = n, "sessions ended");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// `--config PATH` (or `--config=PATH`) wins over `CONSOLE_CONFIG`.
#[cfg(feature = "ssr")]
fn config_path() -> Option<std::path::PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().map(Into::into);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(path.into());
        }
    }
    std::env::var_os("CONSOLE_CONFIG").map(Into::into)
}

/// Leptos' own options (site root, output name) with our listen address. The bundle's files
/// carry content hashes when cargo-leptos wrote its hash file next to this binary (every build
/// of this project does, `hash-files = true`): then the pages name the hashed files, whether or
/// not `LEPTOS_HASH_FILES` was set.
#[cfg(feature = "ssr")]
fn leptos_options(
    listen: std::net::SocketAddr,
) -> Result<leptos::prelude::LeptosOptions, leptos::config::errors::LeptosConfigError> {
    let mut options = leptos::prelude::get_configuration(None)?.leptos_options;
    options.site_addr = listen;
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(options.hash_file.as_ref())));
    if !options.hash_files && beside.is_some_and(|p| p.exists()) {
        options.hash_files = true;
    }
    Ok(options)
}

#[cfg(feature = "ssr")]
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(not(feature = "ssr"))]
fn main() {}
