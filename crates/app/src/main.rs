//! `jiedao`: run `jiedao --help` for the commands.

fn main() -> std::process::ExitCode {
    let cli = jiedao::cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let message = jiedao::cli::say("cli.no_runtime", &[("error", error.to_string())]);
            eprintln!("jiedao: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(jiedao::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jiedao: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
