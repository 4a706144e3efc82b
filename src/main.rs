//! The `hotline` binary: parses the command line and hands over to the library.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = hotline::cli::Cli::parse();
    hotline::cli::init_logs(cli.log_json);
    hotline::panics::install_hook();
    match hotline::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hotline: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
