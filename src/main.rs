//! The `praxis` binary: parse the command line, set up logging, run, report errors.

use clap::Parser;

mod cli;

fn main() {
    let cli = cli::Cli::parse();
    // A server logs its requests by default; other commands only warnings.
    let default_filter = match cli.command {
        cli::Command::Serve { .. } => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PRAXIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // PRAXIS_LOG_FORMAT=json: one JSON object per line, for log collectors.
    if std::env::var("PRAXIS_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    match cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(2);
        }
    }
}
